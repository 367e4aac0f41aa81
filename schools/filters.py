"""One FilterSet per list, serving both the page and the API."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import municipalities_for
from core.filters import AcademicYearFilter, IdFilter, YesNoFilter
from core.years import current_academic_year
from schools.models import Municipality, School, SchoolKind, StatusKind


def _municipalities(request):
    if request is None:
        return Municipality.objects.all()
    return municipalities_for(request.user)


class SchoolFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="search")
    municipality = filters.ModelChoiceFilter(queryset=_municipalities, label=_("Municipality"))
    code = filters.CharFilter(label=_("Code"), field_name="code")
    kind = filters.ChoiceFilter(choices=SchoolKind.choices, label=_("Kind"))
    is_rural = YesNoFilter(label=_("Rural"))
    is_active = YesNoFilter(label=_("Active"))
    status = filters.ChoiceFilter(choices=StatusKind.choices, label=_("Status this year"), method="with_status")

    class Meta:
        model = School
        fields = ["q", "municipality", "code", "kind", "is_rural", "is_active", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(short_name__icontains=value)
            | Q(code__iexact=value)
            | Q(director__icontains=value)
        )

    def with_status(self, queryset, name, value):
        year = current_academic_year()
        return queryset.filter(
            Q(statuses__year_to__isnull=True) | Q(statuses__year_to__gte=year),
            statuses__kind=value,
            statuses__year_from__lte=year,
        ).distinct()


# --- Programme side: orders, statuses, programmes, risk assessments -------------------

from schools.models import Order, OrderKind, Programme, ProgrammeKind, RiskAssessment, RiskLevel, SchoolStatus  # noqa: E402


class OrderFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Number or title"), method="search")
    municipality = filters.ModelChoiceFilter(queryset=_municipalities, label=_("Municipality"))
    kind = filters.ChoiceFilter(choices=OrderKind.choices, label=_("Kind"))
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label=_("Date from"))
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Date to"))

    class Meta:
        model = Order
        fields = ["q", "municipality", "kind", "date_from", "date_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(number__icontains=value) | Q(title__icontains=value))


class SchoolStatusFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("School"), method="search")
    municipality = filters.ModelChoiceFilter(
        queryset=_municipalities, field_name="school__municipality", label=_("Municipality")
    )
    school = IdFilter(field_name="school_id", label=_("School id"))
    kind = filters.ChoiceFilter(choices=StatusKind.choices, label=_("Status"))
    year = AcademicYearFilter(label=_("Held in academic year"), method="held_in")

    class Meta:
        model = SchoolStatus
        fields = ["q", "municipality", "school", "kind", "year"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(school__short_name__icontains=value) | Q(school__name__icontains=value))

    def held_in(self, queryset, name, value):
        return queryset.filter(Q(year_to__isnull=True) | Q(year_to__gte=value), year_from__lte=value)


class ProgrammeFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    municipality = filters.ModelChoiceFilter(queryset=_municipalities, label=_("Municipality"))
    kind = filters.ChoiceFilter(choices=ProgrammeKind.choices, label=_("Kind"))
    year = AcademicYearFilter()

    class Meta:
        model = Programme
        fields = ["q", "municipality", "kind", "year"]


class RiskAssessmentFilterSet(filters.FilterSet):
    municipality = filters.ModelChoiceFilter(
        queryset=_municipalities, field_name="school__municipality", label=_("Municipality")
    )
    school = IdFilter(field_name="school_id", label=_("School id"))
    year = AcademicYearFilter()
    level = filters.ChoiceFilter(choices=RiskLevel.choices, label=_("Level"))
    factor = IdFilter(field_name="factor_id", label=_("Risk factor id"))
    confirmed = YesNoFilter(field_name="confirmed_at", lookup_expr="isnull", exclude=True, label=_("Confirmed"))

    class Meta:
        model = RiskAssessment
        fields = ["municipality", "school", "year", "level", "factor", "confirmed"]
