from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.forms import ImportForm
from core.forms import MANAGE, RestrictedForm, ScopedModelForm
from core.years import current_academic_year
from curators.forms import SchoolChoiceField, ServiceCheckedForm
from schools.forms import YearChoiceField
from schools.models import Order, School
from socialcontext import services
from socialcontext.models import INDICATOR_FIELDS, SchoolContext


class ContextImportForm(ImportForm):
    """The results import's form (same file rules and size limit); the file is checked and
    shown for confirmation, so there is no «check only» box."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in [n for n in self.fields if n != "file"]:  # the file alone: no «check only» box
            del self.fields[name]
        self.fields["file"].label = _("Context file")
        self.fields["file"].help_text = _(
            "xlsx (first sheet) or csv (UTF-8 or Windows-1251); up to 50 MB. It is checked first: you see the rows "
            "(or every error) and confirm the import."
        )
        self.helper.inputs[0].value = _("Check the file")


class SchoolContextForm(ServiceCheckedForm, ScopedModelForm):
    """A coordinator enters or corrects one school's context row for a year."""

    service_validate = staticmethod(services.school_context_validate)
    school = SchoolChoiceField(queryset=School.objects.select_related("municipality"), label=_("School"))
    year = YearChoiceField(label=_("Academic year"), initial=lambda: current_academic_year() - 1)

    class Meta:
        model = SchoolContext
        fields = ["school", "year", "students", *INDICATOR_FIELDS]
        help_texts = {
            name: _("Percent of the school's students, 0–100; empty if unknown.") for name in INDICATOR_FIELDS
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in INDICATOR_FIELDS:
            self.fields[name].widget.attrs.update(min=0, max=100, step="0.1")
        if self.instance.pk:  # a correction keeps its school and year: another pair is another row
            for name in ("school", "year"):
                self.fields[name].disabled = True


class PairFromSuggestionForm(RestrictedForm):
    """The pair year and the order the pair rests on, chosen once for the list of suggestions;
    each suggestion's button then forms its pair in one click."""

    scope_action = MANAGE
    year = YearChoiceField(label=_("Programme year of the pair"), initial=current_academic_year)
    order = forms.ModelChoiceField(
        queryset=Order.objects.select_related("municipality").order_by("-date", "-pk"),
        label=_("Order the pair rests on"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orders = self.fields["order"].queryset
        self.fields["order"].empty_label = None
        self.fields["order"].error_messages["required"] = _("A partner pair must rest on an order: choose the order.")
        first = orders.first()
        if first is not None:
            self.fields["order"].initial = first.pk
