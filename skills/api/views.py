from rest_framework import viewsets

from core.api import CachedListMixin
from core.imports import CheckedImportViewSet
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


class PlanImportViewSet(CheckedImportViewSet):
    """A task-plan file (TASKS.md §1): checked, and imported whole unless a dry run (``CheckedImportViewSet``)."""

    service = services.PLAN_IMPORT
    serializer_class = PlanImportSerializer
    filterset_class = PlanImportFilterSet
