from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scoping import regions_overseen
from core.forms import RestrictedForm
from core.years import academic_year_choices
from regional import selectors
from schools.models import Region


class RegionalReportForm(RestrictedForm):
    scope_fields = {"region": regions_overseen}  # the region as a whole: its comparisons
    region = forms.ModelChoiceField(queryset=Region.objects.order_by("name"), label=_("Region"), empty_label=None)
    year = forms.TypedChoiceField(label=_("Academic year"), coerce=int)
    fmt = forms.ChoiceField(label=_("File format"), choices=[("pdf", "PDF"), ("docx", "DOCX")], initial="pdf")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = self.fields["region"].queryset
        self.fields["year"].choices = academic_year_choices(span_forward=0)
        self.fields["year"].initial = selectors.default_year(list(regions.values_list("id", flat=True)))
        if regions.count() == 1:
            self.fields["region"].initial = regions.first()
            self.fields["region"].widget = forms.HiddenInput()
