from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scoping import regions_overseen
from core.years import academic_year_choices
from regional import selectors
from schools.models import Region


class RegionalReportForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Region"), empty_label=None)
    year = forms.TypedChoiceField(label=_("Academic year"), coerce=int)
    fmt = forms.ChoiceField(label=_("File format"), choices=[("pdf", "PDF"), ("docx", "DOCX")], initial="pdf")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = regions_overseen(user).order_by("name")
        self.fields["region"].queryset = regions
        self.fields["year"].choices = academic_year_choices(span_forward=0)
        self.fields["year"].initial = selectors.default_year(list(regions.values_list("id", flat=True)))
        if regions.count() == 1:
            self.fields["region"].initial = regions.first()
            self.fields["region"].widget = forms.HiddenInput()
