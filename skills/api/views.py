from django.db import transaction
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts import scoping
from accounts.scoping import VIEW
from core.api import CachedListMixin
from skills import selectors, services
from skills.api.serializers import (
    MunicipalSkillResultSerializer,
    PlanImportSerializer,
    SkillResultSerializer,
    SkillSerializer,
    TaskPlanSerializer,
    TaskResultSerializer,
)
from skills.filters import (
    MunicipalSkillFilterSet,
    PlanImportFilterSet,
    SkillFilterSet,
    SkillResultFilterSet,
    TaskPlanFilterSet,
    TaskResultFilterSet,
)
from skills.models import ImportState, PlanImport


class _ReadOnly(CachedListMixin, viewsets.ReadOnlyModelViewSet):
    selector = None

    def get_queryset(self):
        return type(self).selector(self.request.user)


class TaskResultViewSet(_ReadOnly):
    """Task completion per school with the municipal completion of the same key (TASKS.md §3)."""

    selector = staticmethod(selectors.task_results)
    serializer_class = TaskResultSerializer
    filterset_class = TaskResultFilterSet
    ordering_fields = ["year", "grade", "completion", "participants"]


class SkillResultViewSet(_ReadOnly):
    """Skill completion per school, the municipal completion and the deficit flag (TASKS.md §3)."""

    selector = staticmethod(selectors.skill_results)
    serializer_class = SkillResultSerializer
    filterset_class = SkillResultFilterSet
    ordering_fields = ["year", "grade", "completion", "participants"]


class MunicipalSkillResultViewSet(_ReadOnly):
    """Municipal skill completion; ``weak`` below 50 (TASKS.md §3)."""

    selector = staticmethod(selectors.municipal_skills)
    serializer_class = MunicipalSkillResultSerializer
    filterset_class = MunicipalSkillFilterSet
    ordering_fields = ["year", "grade", "completion"]


class SkillViewSet(_ReadOnly):
    """The skill catalogue per subject (events and materials are tagged from it)."""

    selector = staticmethod(selectors.skills_catalogue)
    serializer_class = SkillSerializer
    filterset_class = SkillFilterSet
    ordering_fields = ["key"]


class TaskPlanViewSet(_ReadOnly):
    """The task plans of the works, each with its tasks (label, maximum, skill, КЭС codes)."""

    selector = staticmethod(lambda user: selectors.plans(user).prefetch_related("tasks__skill"))
    serializer_class = TaskPlanSerializer
    filterset_class = TaskPlanFilterSet
    ordering_fields = ["year", "grade"]


class PlanImportViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """``POST`` a task-plan file (multipart ``file``; ``dry_run`` to check only): it is checked
    and, unless a dry run, imported whole at once — ``201`` with the import (status ``done`` or
    ``checked``), or ``400`` with the import refused and every error (nothing changes)."""

    serializer_class = PlanImportSerializer
    filterset_class = PlanImportFilterSet
    parser_classes = [MultiPartParser, FormParser]
    ordering_fields = ["created"]

    def get_queryset(self):
        return PlanImport.objects.restrict(self.request.user, VIEW).order_by("-created")

    def create(self, request, *args, **kwargs):
        if not scoping.may_import(request.user):
            raise exceptions.PermissionDenied()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            batch = services.plan_import_create(user=request.user, uploaded_file=serializer.validated_data["file"])
            if batch.status == ImportState.CHECKED and not serializer.validated_data["dry_run"]:
                batch = services.plan_import_apply(batch=batch, user=request.user)
        ok = batch.status != ImportState.FAILED
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED if ok else 400)
