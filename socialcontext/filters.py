"""One FilterSet per resource, serving both the pages and the API (CONTEXT.md §5: ``year``,
``school``, ``municipality``)."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.filters import AcademicYearFilter, CheckedImportFilterSet, IdFilter, YesNoFilter
from schools.filters import _municipalities
from socialcontext.models import (
    Category,
    ContextFit,
    ContextImport,
    ContextSource,
    PartnerSuggestion,
    SchoolContext,
    SchoolContextFigure,
)


class _SchoolYearFilters(filters.FilterSet):
    year = AcademicYearFilter()
    municipality = filters.ModelChoiceFilter(
        queryset=_municipalities, field_name="school__municipality", label=_("Municipality")
    )
    school = IdFilter(field_name="school_id", label=_("School (id)"))
    school_code = filters.CharFilter(field_name="school__code", label=_("School code"))


class SchoolContextFilterSet(_SchoolYearFilters):
    source = filters.ChoiceFilter(choices=ContextSource.choices, label=_("Source"))

    class Meta:
        model = SchoolContext
        fields = ["year", "municipality", "school", "school_code", "source"]


class FigureFilterSet(_SchoolYearFilters):
    category = filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    anomaly = YesNoFilter(label=_("Check objectivity"))

    class Meta:
        model = SchoolContextFigure
        fields = ["year", "municipality", "school", "school_code", "category", "anomaly"]


class ContextFitFilterSet(filters.FilterSet):
    year = AcademicYearFilter()
    municipality = filters.ModelChoiceFilter(queryset=_municipalities, label=_("Municipality"))
    school = filters.NumberFilter(method="of_school", label=_("School (id)"))

    class Meta:
        model = ContextFit
        fields = ["year", "municipality", "school"]

    def of_school(self, queryset, name, value):
        """The fit of the school's municipality."""
        from schools.models import School

        return queryset.filter(municipality__in=School.objects.filter(pk=value).values("municipality_id"))


class PartnerSuggestionFilterSet(_SchoolYearFilters):
    class Meta:
        model = PartnerSuggestion
        fields = ["year", "municipality", "school", "school_code"]


class ContextImportFilterSet(CheckedImportFilterSet):
    class Meta(CheckedImportFilterSet.Meta):
        model = ContextImport
