from rest_framework import viewsets

from core.api import ScopedViewSet
from schools.api.serializers import MunicipalitySerializer, SchoolSerializer
from schools.filters import SchoolFilterSet
from schools.models import Municipality, School


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MunicipalitySerializer
    ordering_fields = ["name"]

    def get_queryset(self):
        return Municipality.objects.select_related("region").restrict(self.request.user).order_by("name")


class SchoolViewSet(ScopedViewSet):
    queryset = School.objects.all().order_by("code")
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilterSet
    ordering_fields = ["code", "short_name", "students_count"]
    http_method_names = ["get", "post", "patch", "head", "options"]
