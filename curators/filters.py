"""One FilterSet per list, serving both the page and the API."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import AcademicYearFilter, IdFilter, YesNoFilter
from curators.models import (
    AssignmentRole,
    CuratorAssignment,
    PartnerPair,
    Recommendation,
    RecommendationStatus,
    Visit,
    VisitKind,
)
from schools.filters import _municipalities


class CuratorAssignmentFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Curator or school"), method="search")
    municipality = filters.ModelChoiceFilter(
        queryset=_municipalities, field_name="school__municipality", label=_("Municipality")
    )
    school = IdFilter(field_name="school_id", label=_("School id"))
    curator = IdFilter(field_name="curator_id", label=_("Curator id"))
    year = AcademicYearFilter()
    role = filters.ChoiceFilter(choices=AssignmentRole.choices, label=_("Role"))
    is_active = YesNoFilter(label=_("In force"), method="only_in_force")

    class Meta:
        model = CuratorAssignment
        fields = ["q", "municipality", "school", "curator", "year", "role", "is_active"]

    def only_in_force(self, queryset, name, value):
        from curators.models import in_force_q

        if value is None:
            return queryset
        return queryset.filter(in_force_q()) if value else queryset.exclude(in_force_q())

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(curator__last_name__icontains=value) | Q(school__short_name__icontains=value))


class PartnerPairFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("School"), method="search")
    municipality = filters.ModelChoiceFilter(
        queryset=_municipalities, field_name="school__municipality", label=_("Municipality")
    )
    year = AcademicYearFilter()

    class Meta:
        model = PartnerPair
        fields = ["q", "municipality", "year"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(school__short_name__icontains=value) | Q(leader__short_name__icontains=value))


class VisitFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("School"), field_name="school__short_name", lookup_expr="icontains")
    municipality = filters.ModelChoiceFilter(
        queryset=_municipalities, field_name="school__municipality", label=_("Municipality")
    )
    school = IdFilter(field_name="school_id", label=_("School id"))
    curator = IdFilter(field_name="curator_id", label=_("Curator id"))
    kind = filters.ChoiceFilter(choices=VisitKind.choices, label=_("Kind"))
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label=_("Date from"))
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Date to"))

    class Meta:
        model = Visit
        fields = ["q", "municipality", "school", "curator", "kind", "date_from", "date_to"]


STATE_CHOICES = [*RecommendationStatus.choices, ("overdue", _("overdue"))]


class RecommendationFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Text"), field_name="text", lookup_expr="icontains")
    municipality = filters.ModelChoiceFilter(
        queryset=_municipalities, field_name="visit__school__municipality", label=_("Municipality")
    )
    school = IdFilter(field_name="visit__school_id", label=_("School id"))
    visit = IdFilter(field_name="visit_id", label=_("Visit id"))
    state = filters.ChoiceFilter(choices=STATE_CHOICES, label=_("Status"), method="with_state")

    class Meta:
        model = Recommendation
        fields = ["q", "municipality", "school", "visit", "state"]

    def with_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(status=RecommendationStatus.OPEN, due_date__lt=today)
        if value == RecommendationStatus.OPEN:
            return queryset.filter(status=RecommendationStatus.OPEN, due_date__gte=today)
        return queryset.filter(status=value)
