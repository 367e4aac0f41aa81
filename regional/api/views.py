from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets

from accounts.scoping import municipalities_overseen
from core.api import CachedListMixin
from regional import selectors
from regional.api.serializers import MunicipalitySummarySerializer, RegionSerializer
from regional.filters import MunicipalitySummaryFilterSet, figure_options


class RegionViewSet(CachedListMixin, viewsets.ReadOnlyModelViewSet):
    """The regions the caller belongs to (a superuser: every region), with their municipalities."""

    serializer_class = RegionSerializer

    def get_queryset(self):
        from schools.models import Region

        return Region.objects.restrict(self.request.user).prefetch_related("municipalities").order_by("name")


@extend_schema(
    description=(
        "Per municipality the caller oversees (a municipal coordinator: their own; a regional coordinator: every "
        "municipality of the region), the figures of the regional comparison for ?year= (default: the latest year "
        "with analysed results). ?procedure= and ?subject= narrow the results figures. The same figures as the "
        "regional dashboard page and its xlsx."
    )
)
class MunicipalitySummaryViewSet(CachedListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MunicipalitySummarySerializer
    filterset_class = MunicipalitySummaryFilterSet

    def get_queryset(self):
        return municipalities_overseen(self.request.user).select_related("region").order_by("name")

    def list_uncached(self, request, *args, **kwargs):
        municipalities = self.filter_queryset(self.get_queryset())
        filterset = self.filterset_class(request.query_params, queryset=municipalities, request=request)
        options = figure_options(filterset)
        page = self.paginate_queryset(municipalities)
        items = list(page if page is not None else municipalities)
        year = options["year"] or selectors.default_year(sorted({m.region_id for m in items}))
        rows = selectors.municipality_summary(items, year, procedure=options["procedure"], subject=options["subject"])
        data = [
            {
                "municipality": row.municipality.pk,
                "municipality_name": row.municipality.name,
                "region": row.municipality.region_id,
                "year": year,
                **row.values[year],
            }
            for row in rows
        ]
        serializer = self.get_serializer(data, many=True)
        return self.get_paginated_response(serializer.data) if page is not None else self._response(serializer.data)

    def _response(self, data):
        from rest_framework.response import Response

        return Response(data)
