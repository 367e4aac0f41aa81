"""One FilterSet per list, serving both the page and the API."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.scoping import municipalities_for
from core.filters import AcademicYearFilter, IdFilter, YesNoFilter
from core.years import current_academic_year
from schools.models import Municipality, RiskLevel, School, SchoolKind, StatusKind


def _municipalities(request):
    if request is None:
        return Municipality.objects.all()
    return municipalities_for(request.user)


def _figures(queryset):
    """The schools with ``working_table``'s figures (the list page and the API annotate them
    already; anything else gets them here)."""
    from schools.selectors import working_table

    return queryset if "flags_count" in queryset.query.annotations else working_table(queryset)


RISK_FILTER_CHOICES = [*RiskLevel.choices, ("unfilled", _("no risk profile"))]
VISIT_CHOICES = [
    ("recent", _("within 60 days")),
    ("overdue", _("more than 60 days ago or never")),
    ("never", pgettext_lazy("last visit", "never")),
]
PROGRESS_CHOICES = [
    ("low", _("below 50 %")),
    ("middle", _("50–80 %")),
    ("high", _("80 % and more")),
    ("none", _("nothing planned")),
]


class SchoolFilterSet(filters.FilterSet):
    """The schools list (the coordinator's working table) and ``/api/v1/schools/``: the same
    filters, over the same figures (``schools.selectors.working_table``)."""

    q = filters.CharFilter(label=_("Search"), method="search")
    municipality = filters.ModelChoiceFilter(queryset=_municipalities, label=_("Municipality"))
    code = filters.CharFilter(label=_("Code"), field_name="code")
    kind = filters.ChoiceFilter(choices=SchoolKind.choices, label=_("Kind"))
    is_rural = YesNoFilter(label=_("Rural"))
    is_active = YesNoFilter(label=_("Active"))
    status = filters.ChoiceFilter(choices=StatusKind.choices, label=_("Status this year"), method="with_status")
    index_max = filters.NumberFilter(label=_("Index at most"), method="with_index_max")
    flags_min = filters.NumberFilter(label=_("Flags: at least"), method="with_flags_min")
    risk_level = filters.ChoiceFilter(choices=RISK_FILTER_CHOICES, label=_("Risk level"), method="with_risk_level")
    curator = filters.CharFilter(label=_("Curator"), method="with_curator")
    has_curator = YesNoFilter(label=_("Has a curator this year"), method="with_has_curator")
    visit = filters.ChoiceFilter(choices=VISIT_CHOICES, label=_("Last visit"), method="with_visit")
    progress = filters.ChoiceFilter(choices=PROGRESS_CHOICES, label=_("Roadmap progress"), method="with_progress")

    class Meta:
        model = School
        fields = [
            "q",
            "municipality",
            "code",
            "kind",
            "is_rural",
            "is_active",
            "status",
            "index_max",
            "flags_min",
            "risk_level",
            "curator",
            "has_curator",
            "visit",
            "progress",
        ]

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
        from schools.selectors import schools_with_status

        return schools_with_status(queryset, value, current_academic_year())

    def with_index_max(self, queryset, name, value):
        return _figures(queryset).filter(school_index__lte=value)

    def with_flags_min(self, queryset, name, value):
        return _figures(queryset).filter(flags_count__gte=value)

    def with_risk_level(self, queryset, name, value):
        from schools.selectors import RISK_RANK

        queryset = _figures(queryset)
        if value == "unfilled":
            return queryset.filter(risk_rank__isnull=True)
        return queryset.filter(risk_rank=RISK_RANK[value])

    def with_curator(self, queryset, name, value):
        value = value.strip()
        return _figures(queryset).filter(curators__icontains=value) if value else queryset

    def with_has_curator(self, queryset, name, value):
        if value is None:
            return queryset
        queryset = _figures(queryset)
        has = Q(curators__isnull=False) & ~Q(curators="")
        return queryset.filter(has) if value else queryset.exclude(has)

    def with_visit(self, queryset, name, value):
        import datetime

        from django.utils import timezone

        queryset = _figures(queryset)
        since = timezone.localdate() - datetime.timedelta(days=60)
        if value == "recent":
            return queryset.filter(last_visit__gte=since)
        if value == "never":
            return queryset.filter(last_visit__isnull=True)
        return queryset.filter(Q(last_visit__lt=since) | Q(last_visit__isnull=True))

    def with_progress(self, queryset, name, value):
        queryset = _figures(queryset)
        if value == "none":
            return queryset.filter(roadmap_progress__isnull=True)
        if value == "low":
            return queryset.filter(roadmap_progress__lt=0.5)
        if value == "middle":
            return queryset.filter(roadmap_progress__gte=0.5, roadmap_progress__lt=0.8)
        return queryset.filter(roadmap_progress__gte=0.8)


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
