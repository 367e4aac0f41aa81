from django.db.models import Prefetch
from rest_framework import viewsets
from rest_framework.response import Response

from core.api import CachedListMixin, ScopedViewSet
from schools.api.serializers import MunicipalitySerializer, SchoolSerializer
from schools.filters import SchoolFilterSet
from schools.models import Municipality, School


class MunicipalityViewSet(CachedListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MunicipalitySerializer
    ordering_fields = ["name"]

    def get_queryset(self):
        return Municipality.objects.select_related("region").restrict(self.request.user).order_by("name")

    def list_uncached(self, request, *args, **kwargs):
        """The count and the page: prepared once per reader's scope and query string
        (core/compiled.py ``PreparedList``); the scoped, filtered and ordered queryset is
        built only when it is prepared (or checked), not on every request."""
        from core.api import plain_rows, plain_sources
        from core.cache import scope_key
        from core.compiled import PreparedList

        params = tuple(sorted((k, tuple(v)) for k, v in request.query_params.lists() if k != "page"))
        key = ("api.municipalities", scope_key(request.user), params)
        size = self.paginator.get_page_size(request)
        sources = plain_sources(self.get_serializer_class())
        if sources is None:
            page = self.paginate_queryset(PreparedList(key, lambda: self.filter_queryset(self.get_queryset()), size))
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        # every field is a column: the page's values() rows, renamed (core/api.py plain_sources)
        lookups = [path for _name, path in sources]
        rows = PreparedList((*key, "values"), lambda: self.filter_queryset(self.get_queryset()).values(*lookups), size)
        return self.get_paginated_response(plain_rows(self.paginate_queryset(rows), sources))


class SchoolViewSet(ScopedViewSet):
    """Schools with the figures of the coordinator's working table (the schools page)."""

    queryset = School.objects.all().order_by("code")
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilterSet
    ordering_fields = [
        "code",
        "short_name",
        "students_count",
        "school_index",
        "flags_count",
        "risk_rank",
        "last_visit",
        "roadmap_progress",
    ]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        from schools.selectors import working_table

        schools = super().get_queryset()
        if self.request.method not in ("GET", "HEAD"):
            return schools
        return working_table(schools)

    def list_uncached(self, request, *args, **kwargs):
        """A page without filters (what an integration pages through) is read in two steps:
        the page's school ids from the scoped, ordered schools, then their figures from the
        working table's SQL compiled once per year and date (``working_table_rows``) — the
        same rows as the one queryset, without building a dozen subqueries per request.
        Filters, or an ordering by a figure, take the one queryset."""
        from django.conf import settings
        from django.db.models import Max
        from rest_framework.filters import OrderingFilter

        from assessment.selectors import results_of
        from core.cache import scope_key
        from core.compiled import PreparedList, prepared_aggregate
        from core.years import current_academic_year
        from schools.selectors import working_table_rows

        ordering_filter = OrderingFilter()

        def schools():  # built only when a prepared query is built (or checked)
            return ScopedViewSet.get_queryset(self)

        # ``ordering_fields`` is a list: the valid fields are its names, not the queryset's
        ordering = ordering_filter.get_ordering(request, self.queryset, self) or ()
        plain = (
            settings.IS_POSTGRES
            and not set(request.query_params) & set(self.filterset_class.base_filters)
            and all(term.lstrip("-") in _SCHOOL_COLUMNS for term in ordering)
        )
        if not plain:
            return super().list_uncached(request, *args, **kwargs)
        # the ids, their count and the results year: SQL that depends on the reader's scope and
        # the ordering only, compiled once (core/compiled.py); for a numbered page the three
        # in one statement
        scope = scope_key(request.user)
        size = self.paginator.get_page_size(request)
        ids = PreparedList(
            ("api.schools.ids", scope, tuple(ordering)),
            lambda: ordering_filter.filter_queryset(request, schools(), self).values_list("pk", flat=True),
            size,
        )
        results_year = ("aggregate", lambda: results_of(schools()), {"y": Max("year")})
        start = _page_start(request, self.paginator.page_query_param, size)
        ry = ids.read_page(start, results_year)[0] if start is not None else None
        page = self.paginate_queryset(ids)
        fields = self.get_serializer_class().Meta.fields
        year = current_academic_year()
        if start is None:
            ry = prepared_aggregate(("api.schools.results_year", scope), results_year[1], **results_year[2])["y"]
        rows = working_table_rows(ids[:] if page is None else page, fields, year, ry)
        return self.get_paginated_response(rows) if page is not None else Response(rows)


_SCHOOL_COLUMNS = {f.name for f in School._meta.concrete_fields}


def _page_start(request, param: str, size: int) -> int | None:
    """The first row of the page the paginator will read (Django's ``validate_number``: what
    ``int()`` takes, from 1); None for ``last`` or a number it refuses."""
    try:
        number = int(request.query_params.get(param) or 1)
    except (TypeError, ValueError):
        return None
    return (number - 1) * size if number >= 1 else None


# --- Programme side (issue 3) --------------------------------------------------------

from core.api import EDIT  # noqa: E402
from schools.api.serializers import (  # noqa: E402
    OrderSerializer,
    ProgrammeSerializer,
    RiskAssessmentSerializer,
    SchoolStatusSerializer,
)
from schools.filters import (  # noqa: E402
    OrderFilterSet,
    ProgrammeFilterSet,
    RiskAssessmentFilterSet,
    SchoolStatusFilterSet,
)
from schools.models import Order, Programme, ProgrammeParticipant, RiskAssessment, SchoolStatus  # noqa: E402


class OrderViewSet(ScopedViewSet):
    queryset = Order.objects.select_related("municipality").order_by("-date", "number")
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
    ordering_fields = ["date", "number"]
    http_method_names = ["get", "post", "patch", "head", "options"]


class SchoolStatusViewSet(ScopedViewSet):
    queryset = SchoolStatus.objects.select_related("school").order_by("school__sort_name", "kind", "-year_from")
    serializer_class = SchoolStatusSerializer
    filterset_class = SchoolStatusFilterSet
    ordering_fields = ["year_from", "year_to"]
    http_method_names = ["get", "post", "patch", "head", "options"]


class ProgrammeViewSet(ScopedViewSet):
    queryset = Programme.objects.prefetch_related(
        Prefetch("participants", ProgrammeParticipant.objects.select_related("school").order_by("school__sort_name"))
    ).order_by("-year", "name")
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilterSet
    ordering_fields = ["year", "name"]
    http_method_names = ["get", "post", "patch", "head", "options"]


class RiskAssessmentViewSet(ScopedViewSet):
    queryset = RiskAssessment.objects.select_related("factor").order_by("school_id", "-year", "factor__position")
    serializer_class = RiskAssessmentSerializer
    filterset_class = RiskAssessmentFilterSet
    ordering_fields = ["year", "level"]
    write_action = EDIT
    http_method_names = ["get", "post", "patch", "head", "options"]
