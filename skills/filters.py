"""One FilterSet per resource, serving both the pages and the API (TASKS.md §3: ``year``,
``procedure``, ``subject``, ``grade``, ``school``)."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from assessment.filters import _ResultFilters
from assessment.models import Procedure, Subject
from core.filters import AcademicYearFilter, CheckedImportFilterSet, GradeFilter, IdFilter, YesNoFilter
from schools.filters import _municipalities
from skills.models import MunicipalSkillResult, PlanImport, Skill, SkillResult, TaskPlan, TaskResult


class _FigureFilters(_ResultFilters):
    municipality = filters.ModelChoiceFilter(
        queryset=_municipalities, field_name="school__municipality", label=_("Municipality")
    )
    skill = IdFilter(field_name="skill_id", label=_("Skill (id)"))


class TaskResultFilterSet(_FigureFilters):
    class Meta:
        model = TaskResult
        fields = ["year", "procedure", "subject", "grade", "municipality", "school", "school_code", "skill"]


class SkillResultFilterSet(_FigureFilters):
    deficit = YesNoFilter(label=_("Skill deficit"))

    class Meta:
        model = SkillResult
        fields = ["year", "procedure", "subject", "grade", "municipality", "school", "school_code", "skill", "deficit"]


class MunicipalSkillFilterSet(filters.FilterSet):
    year = AcademicYearFilter()
    procedure = filters.ModelChoiceFilter(queryset=Procedure.objects.all(), to_field_name="code", label=_("Procedure"))
    subject = filters.ModelChoiceFilter(queryset=Subject.objects.all(), to_field_name="name", label=_("Subject"))
    grade = GradeFilter()
    municipality = filters.ModelChoiceFilter(queryset=_municipalities, label=_("Municipality"))
    weak = YesNoFilter(label=_("Weak skill"))
    skill = IdFilter(field_name="skill_id", label=_("Skill (id)"))

    class Meta:
        model = MunicipalSkillResult
        fields = ["year", "procedure", "subject", "grade", "municipality", "weak", "skill"]


class TaskPlanFilterSet(filters.FilterSet):
    year = AcademicYearFilter()
    procedure = filters.ModelChoiceFilter(queryset=Procedure.objects.all(), to_field_name="code", label=_("Procedure"))
    subject = filters.ModelChoiceFilter(queryset=Subject.objects.all(), to_field_name="name", label=_("Subject"))
    grade = GradeFilter()

    class Meta:
        model = TaskPlan
        fields = ["year", "procedure", "subject", "grade"]


class SkillFilterSet(filters.FilterSet):
    subject = filters.ModelChoiceFilter(queryset=Subject.objects.all(), to_field_name="name", label=_("Subject"))
    q = filters.CharFilter(field_name="text", lookup_expr="icontains", label=_("Text contains"))

    class Meta:
        model = Skill
        fields = ["subject", "q"]


class PlanImportFilterSet(CheckedImportFilterSet):
    class Meta(CheckedImportFilterSet.Meta):
        model = PlanImport
