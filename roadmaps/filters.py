"""One FilterSet per list, serving both the page and the API."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.scoping import municipalities_for, schools_for
from core.filters import IdFilter, YesNoFilter
from core.years import academic_year_choices
from roadmaps.models import (
    Activity,
    ActivityStatus,
    DocumentKind,
    DocumentStatus,
    Indicator,
    ProgressReport,
    ReportStatus,
    Roadmap,
    RoadmapStatus,
    SchoolDocument,
)
from schools.models import Municipality, School


def _schools(request):
    return School.objects.none() if request is None else schools_for(request.user)


def _roadmaps(request):
    return Roadmap.objects.none() if request is None else Roadmap.objects.restrict(request.user)


def _municipalities(request):
    return Municipality.objects.none() if request is None else municipalities_for(request.user)


class SchoolDocumentFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains")
    school = filters.ModelChoiceFilter(queryset=_schools, label=_("School"))
    kind = filters.ChoiceFilter(choices=DocumentKind.choices, label=pgettext_lazy("document", "Kind"))
    status = filters.ChoiceFilter(choices=DocumentStatus.choices, label=_("Status"))
    year = filters.ChoiceFilter(choices=academic_year_choices, label=_("Academic year"))

    class Meta:
        model = SchoolDocument
        fields = ["q", "school", "kind", "status", "year"]


class RoadmapFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="search")
    municipality = filters.ModelChoiceFilter(
        queryset=_municipalities, label=_("Municipality"), method="in_municipality"
    )
    school = filters.ModelChoiceFilter(queryset=_schools, label=_("School"))
    year = filters.ChoiceFilter(choices=academic_year_choices, label=_("Academic year"))
    status = filters.ChoiceFilter(choices=RoadmapStatus.choices, label=_("Status"))
    municipal = YesNoFilter(label=_("Municipal roadmap"), field_name="school", lookup_expr="isnull")

    class Meta:
        model = Roadmap
        fields = ["q", "municipality", "school", "year", "status", "municipal"]

    @extend_schema_field(OpenApiTypes.STR)
    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(title__icontains=value) | Q(school__short_name__icontains=value)) if value else queryset
        )

    @extend_schema_field(OpenApiTypes.INT)
    def in_municipality(self, queryset, name, value):
        return queryset.filter(Q(school__municipality=value) | Q(owner_municipality=value)) if value else queryset


class ActivityFilterSet(filters.FilterSet):
    roadmap = filters.ModelChoiceFilter(queryset=_roadmaps, field_name="task__goal__roadmap", label=_("Roadmap"))
    progress_status = filters.ChoiceFilter(choices=ActivityStatus.choices, label=_("Progress"))
    overdue = YesNoFilter(label=_("Overdue"), method="only_overdue")

    class Meta:
        model = Activity
        fields = ["roadmap", "progress_status", "overdue"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def only_overdue(self, queryset, name, value):
        from django.utils import timezone

        cond = Q(due_date__lt=timezone.localdate()) & ~Q(
            progress_status__in=[ActivityStatus.DONE, ActivityStatus.CANCELLED]
        )
        if value is None:
            return queryset
        return queryset.filter(cond) if value else queryset.exclude(cond)


class IndicatorFilterSet(filters.FilterSet):
    roadmap = filters.ModelChoiceFilter(
        queryset=_roadmaps, field_name="activity__task__goal__roadmap", label=_("Roadmap")
    )
    activity = IdFilter(label=_("Activity"))
    linked = YesNoFilter(label=_("Linked to an assessment figure"), method="only_linked")

    class Meta:
        model = Indicator
        fields = ["roadmap", "activity", "linked"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def only_linked(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(source_metric="") if value else queryset.filter(source_metric="")


class ProgressReportFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="search")
    municipality = filters.ModelChoiceFilter(
        queryset=_municipalities, label=_("Municipality"), method="in_municipality"
    )
    school = filters.ModelChoiceFilter(queryset=_schools, label=_("School"), field_name="roadmap__school")
    roadmap = filters.ModelChoiceFilter(queryset=_roadmaps, label=_("Roadmap"))
    status = filters.ChoiceFilter(choices=ReportStatus.choices, label=_("Status"))
    year = filters.ChoiceFilter(choices=academic_year_choices, field_name="roadmap__year", label=_("Academic year"))
    pending_approval = YesNoFilter(label=_("Waiting for approval"), method="only_pending_approval")

    class Meta:
        model = ProgressReport
        fields = ["q", "municipality", "school", "roadmap", "status", "year", "pending_approval"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def only_pending_approval(self, queryset, name, value):
        from roadmaps.selectors import pending_approval_q

        if value is None:
            return queryset
        return queryset.filter(pending_approval_q()) if value else queryset.exclude(pending_approval_q())

    @extend_schema_field(OpenApiTypes.STR)
    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(roadmap__title__icontains=value) | Q(roadmap__school__short_name__icontains=value))

    @extend_schema_field(OpenApiTypes.INT)
    def in_municipality(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(roadmap__school__municipality=value) | Q(roadmap__owner_municipality=value))
