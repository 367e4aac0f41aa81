from django.db import transaction
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts import scoping
from accounts.scoping import VIEW
from assessment import selectors, services
from assessment.api.serializers import (
    FlagSerializer,
    GroupResultSerializer,
    ImportBatchSerializer,
    SchoolIndexSerializer,
    SpreadSerializer,
)
from assessment.filters import (
    FlagFilterSet,
    GroupResultFilterSet,
    ImportBatchFilterSet,
    SchoolIndexFilterSet,
    SpreadFilterSet,
    TeacherDynamicsFilterSet,
)
from assessment.models import ImportBatch


class _ReadOnly(viewsets.ReadOnlyModelViewSet):
    selector = None

    def get_queryset(self):
        return type(self).selector(self.request.user)


class GroupResultViewSet(_ReadOnly):
    selector = staticmethod(selectors.group_results)
    serializer_class = GroupResultSerializer
    filterset_class = GroupResultFilterSet
    ordering_fields = ["year", "grade", "mean_percent", "participants"]


class FlagViewSet(_ReadOnly):
    selector = staticmethod(selectors.flags)
    serializer_class = FlagSerializer
    filterset_class = FlagFilterSet
    ordering_fields = ["year", "kind"]


class TeacherDynamicsViewSet(_ReadOnly):
    """Teachers' negative dynamics (RESULTS.md): a teacher's rows pooled over their grades
    against the same teacher's pool of the previous year; never among a school's flags."""

    selector = staticmethod(selectors.teacher_flags)
    serializer_class = FlagSerializer
    filterset_class = TeacherDynamicsFilterSet
    ordering_fields = ["year"]


class SchoolIndexViewSet(_ReadOnly):
    selector = staticmethod(selectors.school_indices)
    serializer_class = SchoolIndexSerializer
    filterset_class = SchoolIndexFilterSet
    ordering_fields = ["year", "value"]


class SpreadViewSet(_ReadOnly):
    selector = staticmethod(selectors.spreads)
    serializer_class = SpreadSerializer
    filterset_class = SpreadFilterSet
    ordering_fields = ["year"]


class ImportBatchViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """``POST`` a results file (multipart ``file``) → the batch; ``GET`` a batch to poll its status."""

    serializer_class = ImportBatchSerializer
    filterset_class = ImportBatchFilterSet
    parser_classes = [MultiPartParser, FormParser]
    ordering_fields = ["created"]

    def get_queryset(self):
        return ImportBatch.objects.restrict(self.request.user, VIEW).order_by("-created")

    def create(self, request, *args, **kwargs):
        if not scoping.may_import(request.user):
            raise exceptions.PermissionDenied()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            batch = services.import_batch_create(
                user=request.user,
                uploaded_file=serializer.validated_data["file"],
                dry_run=serializer.validated_data["dry_run"],
            )
            transaction.on_commit(lambda: services.import_batch_queue(batch.pk))
        batch.refresh_from_db()
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED)
