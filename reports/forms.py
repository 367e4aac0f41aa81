from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.scoping import municipalities_overseen
from core.forms import RestrictedForm
from core.years import academic_year_choices, current_academic_year
from reports.documents import BUILDERS
from reports.models import ReportFormat, ReportKind
from schools.models import Municipality, School

DOCX_KINDS = {
    ReportKind.ORDER_LOW_RESULTS,
    ReportKind.ORDER_CURATORS,
    ReportKind.ORDER_PARTNERS,
    ReportKind.INFO_NOTE,
}


class ReportRequestForm(RestrictedForm):
    # A school's documents: any school the user sees; a municipality's: one they oversee whole.
    scope_fields = {"municipality": municipalities_overseen}
    kind = forms.ChoiceField(label=_("Document"))
    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=School.objects.select_related("municipality").order_by("sort_name"),
        required=False,
        empty_label=_("— choose a school —"),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        empty_label=_("— choose a municipality —"),
    )
    year = forms.TypedChoiceField(label=_("Academic year"), coerce=int)
    fmt = forms.ChoiceField(
        label=pgettext_lazy("file", "Format"), choices=ReportFormat.choices, initial=ReportFormat.PDF
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools, municipalities = self.fields["school"].queryset, self.fields["municipality"].queryset
        has_municipality = municipalities.exists()
        self.fields["kind"].choices = [
            (k, label) for k, label in ReportKind.choices if k in BUILDERS and (BUILDERS[k][1] or has_municipality)
        ]
        if not has_municipality:
            del self.fields["municipality"]
        # Whoever has one school or one municipality to choose from finds it chosen.
        for name, qs in (("school", schools), ("municipality", municipalities)):
            if name in self.fields:
                only = list(qs[:2])
                if len(only) == 1:
                    self.fields[name].initial = only[0].pk
        self.fields["year"].choices = academic_year_choices()
        self.fields["year"].initial = current_academic_year()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Build the document")))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        about_school = BUILDERS[kind][1]
        if about_school and not data.get("school"):
            self.add_error("school", _("Choose the school the report is about."))
        if not about_school and not data.get("municipality"):
            self.add_error("municipality" if "municipality" in self.fields else "kind", _("Choose the municipality."))
        if data.get("fmt") == ReportFormat.DOCX and kind not in DOCX_KINDS:
            self.add_error("fmt", _("Only draft orders and the information note are available as .docx; choose PDF."))
        return data

    def subject(self):
        """The school or the municipality the document is about (a choice of this form)."""
        kind = self.cleaned_data["kind"]
        return self.cleaned_data["school"] if BUILDERS[kind][1] else self.cleaned_data["municipality"]


class InfoNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the note"),
        widget=forms.Textarea(attrs={"rows": 28, "class": "font-monospace"}),
        max_length=60_000,
        help_text=_(
            "Paragraphs are separated by an empty line; a line starting with «#» is a heading (headings are "
            "numbered in the document)."
        ),
    )

    def clean_text(self) -> str:
        from reports.narrative import parts

        text = self.cleaned_data["text"].strip()
        if not any("text" in p for p in parts(text)):
            raise forms.ValidationError(
                _("The note has no paragraph: write at least one, or rebuild it from the data.")
            )
        return text
