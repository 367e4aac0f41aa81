from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import scoping
from core.api import ScopedReadViewSet, ScopedViewSet
from core.errors import Frozen
from curators import services
from curators.api.serializers import (
    CuratorAssignmentSerializer,
    DoneSerializer,
    PartnerPairSerializer,
    RecommendationSerializer,
    VisitSerializer,
)
from curators.filters import (
    CuratorAssignmentFilterSet,
    PartnerPairFilterSet,
    RecommendationFilterSet,
    VisitFilterSet,
)
from curators.models import CuratorAssignment, PartnerPair, Recommendation, Visit


class CuratorAssignmentViewSet(ScopedViewSet):
    queryset = CuratorAssignment.objects.select_related("curator").order_by("-year", "school_id", "curator_id")
    serializer_class = CuratorAssignmentSerializer
    filterset_class = CuratorAssignmentFilterSet
    ordering_fields = ["year"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    save_service = staticmethod(services.assignment_save)  # the page's door


class PartnerPairViewSet(ScopedViewSet):
    queryset = PartnerPair.objects.order_by("-year", "school_id")
    serializer_class = PartnerPairSerializer
    filterset_class = PartnerPairFilterSet
    ordering_fields = ["year"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    save_service = staticmethod(services.partner_pair_save)  # the page's door


class CuratorWriteMixin:
    """Visits are written by the school's curator (or a coordinator), not by EDIT scope:
    the role rule is the policy's (accounts.scoping) and is checked here, as on the pages."""

    def check_object_permissions(self, request, obj):
        # Skip ScopedViewSet's write_action check; the service decides who may write.
        super(ScopedViewSet, self).check_object_permissions(request, obj)

    def perform_create(self, serializer):
        serializer.save()

    def perform_update(self, serializer):
        serializer.save()


class VisitViewSet(CuratorWriteMixin, ScopedViewSet):
    queryset = (
        Visit.objects.select_related("school").prefetch_related("lessons", "recommendations").order_by("-date", "-id")
    )
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    ordering_fields = ["date"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        school = serializer.validated_data.get("school")
        if school is not None and not scoping.may_log_visit(self.request.user, school):
            raise exceptions.PermissionDenied()
        serializer.save()

    def perform_update(self, serializer):
        """As the page's edit (curators.services.visit_update): the visit's curator or a
        coordinator of the school, and never once the school has confirmed the record."""
        visit = serializer.instance
        if not scoping.may_edit_visit(self.request.user, visit):
            raise exceptions.PermissionDenied()
        if visit.confirmed_at:
            raise Frozen(gettext("The school has confirmed this visit record; it can no longer be changed."))
        serializer.save()

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        visit = self.get_object()
        services.visit_confirm(user=request.user, visit=visit)
        return Response(self.get_serializer(visit).data)


class RecommendationViewSet(ScopedReadViewSet):
    """Read recommendations; the school marks one done (``done``), the curator closes it
    (the services say who may).  Recommendations are written with their visit."""

    queryset = Recommendation.objects.select_related("visit").order_by("due_date", "id")
    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilterSet
    ordering_fields = ["due_date"]

    @extend_schema(request=DoneSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        rec = self.get_object()
        body = DoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.recommendation_mark_done(user=request.user, rec=rec, comment=body.validated_data["comment"])
        return Response(self.get_serializer(rec).data)

    @extend_schema(request=None, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        rec = self.get_object()
        services.recommendation_close(user=request.user, rec=rec)
        return Response(self.get_serializer(rec).data)
