"""One FilterSet for the regional dashboard page and the API's municipality summary, and one
for the region-wide list of schools.  The year, procedure and subject choose which figures
are computed (``figure_options``), the region and municipality which rows."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from accounts.scoping import municipalities_overseen, regions_overseen
from assessment.models import Procedure, Subject
from core.filters import AcademicYearFilter, YesNoFilter
from schools.models import Municipality, Region, School


def _regions(request):
    return Region.objects.none() if request is None else regions_overseen(request.user)


def _municipalities(request):
    return Municipality.objects.none() if request is None else municipalities_overseen(request.user)


def _keep(queryset, name, value: str):
    """A parameter that chooses figures, not rows (read by the view from the cleaned data)."""
    return queryset


class MunicipalitySummaryFilterSet(filters.FilterSet):
    year = AcademicYearFilter(method=_keep, help_text=_("Default: the latest year with analysed results."))
    region = filters.ModelChoiceFilter(queryset=_regions, label=_("Region"))
    municipality = filters.ModelMultipleChoiceFilter(
        queryset=_municipalities, label=_("Municipalities"), method="chosen"
    )
    procedure = filters.ModelChoiceFilter(
        queryset=Procedure.objects.all(), to_field_name="code", label=_("Procedure"), method=_keep
    )
    subject = filters.ModelChoiceFilter(
        queryset=Subject.objects.all(), to_field_name="name", label=_("Subject"), method=_keep
    )

    class Meta:
        model = Municipality
        fields = ["year", "region", "municipality", "procedure", "subject"]

    def chosen(self, queryset, name, value: list[int]):
        return queryset.filter(pk__in=[m.pk for m in value]) if value else queryset


def figure_options(filterset) -> dict:
    """The year, procedure and subject the reader chose (None where not chosen or invalid)."""
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    year = data.get("year")
    return {
        "year": int(year) if year is not None else None,
        "procedure": data.get("procedure"),
        "subject": data.get("subject"),
    }


class RegionalSchoolFilterSet(filters.FilterSet):
    """The region-wide list of ШНОР and candidates (the view annotates the year's facts)."""

    year = AcademicYearFilter(method=_keep, help_text=_("Default: the latest year with analysed results."))
    municipality = filters.ModelChoiceFilter(
        queryset=_municipalities, label=_("Municipality"), field_name="municipality"
    )
    q = filters.CharFilter(label=_("School"), method="search")
    low_results = YesNoFilter(label=_("ШНОР"), field_name="is_low")
    candidate = YesNoFilter(label=_("Candidate of the municipality"), field_name="is_candidate")
    regional_candidate = YesNoFilter(label=_("Candidate of the region"), field_name="is_regional_candidate")

    class Meta:
        model = School
        fields = ["year", "municipality", "q", "low_results", "candidate", "regional_candidate"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(short_name__icontains=value) | queryset.filter(code=value) if value else queryset
