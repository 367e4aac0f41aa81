from django.db import transaction
from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import scoping
from accounts.scoping import VIEW
from core.api import ScopedViewSet
from events import services
from events.api.serializers import (
    AttendanceSerializer,
    EventSerializer,
    FeedbackResponseSerializer,
    MaterialSerializer,
    RegistrationSerializer,
)
from events.filters import EventFilterSet, MaterialFilterSet
from events.models import Event, FeedbackResponse, Material, Registration, RegistrationStatus
from events.services import Person


class EventManagerMixin:
    """Events (and the bank) are written by the municipality's coordinators and methodists."""

    def _may_write(self, obj) -> bool:
        return scoping.may_manage_level(self.request.user, obj)

    def check_object_permissions(self, request, obj):
        viewsets.GenericViewSet.check_object_permissions(self, request, obj)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not self._may_write(obj):
            self.permission_denied(request)

    def perform_update(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            if not self._may_write(instance):
                raise exceptions.PermissionDenied()


class EventViewSet(EventManagerMixin, ScopedViewSet):
    queryset = (
        Event.objects.select_related("municipality", "host_school")
        .prefetch_related("agenda", "organiser_schools", "themes")
        .annotate(
            registered=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED), distinct=True
            )
        )
        .order_by("-start")
    )
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    ordering_fields = ["start", "title"]

    # The page's service (events.services.event_save): the level's managers only, the default
    # reflection sheet for a new event, the waiting list moved up when places are added.
    def perform_create(self, serializer):
        serializer.instance = services.event_save(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.event_save(
            actor=self.request.user, event=serializer.instance, **serializer.validated_data
        )


def _level(data: dict) -> dict:
    """The municipality or region a new event or material is placed in."""
    return {"municipality": data.get("municipality"), "region": data.get("region")}


class RegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Registrations of the user's scope.  POST registers a person (school administrators:
    their staff only); ``cancel`` frees the place for the waiting list; ``attendance`` marks
    presence (the event's managers)."""

    serializer_class = RegistrationSerializer
    filterset_fields = ["event", "school", "status", "attended"]

    def get_queryset(self):
        return (
            Registration.objects.restrict(self.request.user, VIEW)
            .select_related("school")
            .prefetch_related("feedback")
            .order_by("event_id", "created_at", "id")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        event = Event.objects.restrict(self.request.user, VIEW).filter(pk=data["event"].pk).first()
        if event is None:
            raise exceptions.NotFound()
        (reg,) = services.registrations_create(
            self.request.user, event, data["school"], [Person(data["full_name"], data.get("position", ""))]
        )
        serializer.instance = reg

    @extend_schema(request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reg = self.get_object()
        services.registration_cancel(request.user, reg)
        reg.refresh_from_db()
        return Response(self.get_serializer(reg).data)

    @extend_schema(request=AttendanceSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        reg = self.get_object()
        body = AttendanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.attendance_set(request.user, reg, body.validated_data["attended"])
        return Response(self.get_serializer(reg).data)


class FeedbackViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Reflection sheets: read within scope; POST once per registration."""

    serializer_class = FeedbackResponseSerializer
    filterset_fields = ["registration", "registration__event"]

    def get_queryset(self):
        return (
            FeedbackResponse.objects.restrict(self.request.user, VIEW)
            .select_related("registration")
            .prefetch_related("answers__question")
            .order_by("-submitted_at")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reg = serializer.validated_data["registration"]
        if not (
            Registration.objects.restrict(request.user, VIEW).filter(pk=reg.pk).exists()
            or scoping.may_give_feedback(request.user, reg)
        ):
            raise exceptions.NotFound()
        answers = {a["question"].pk: a.get("rating") or a.get("text") for a in serializer.validated_data["answers"]}
        response = services.feedback_submit(request.user, reg, answers)
        return Response(self.get_serializer(response).data, status=status.HTTP_201_CREATED)


class MaterialViewSet(EventManagerMixin, ScopedViewSet):
    queryset = (
        Material.objects.select_related("school", "municipality")
        .prefetch_related("themes", "events")
        .order_by("-created_at", "-id")
    )
    serializer_class = MaterialSerializer
    filterset_class = MaterialFilterSet

    def perform_create(self, serializer):
        if not self._may_write(Material(**_level(serializer.validated_data))):
            raise exceptions.PermissionDenied()
        serializer.save(created_by=self.request.user)
