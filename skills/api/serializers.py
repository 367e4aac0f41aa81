from rest_framework import serializers

from core.serializers import CheckedImportSerializer
from skills.models import MunicipalSkillResult, PlanImport, PlanTask, Skill, SkillResult, TaskPlan, TaskResult


class TaskResultSerializer(serializers.ModelSerializer):
    """TASKS.md §3: completions in percent, unrounded floats."""

    school_code = serializers.CharField(source="school.code", read_only=True)
    procedure = serializers.CharField(source="procedure.code", read_only=True)
    subject = serializers.CharField(source="subject.name", read_only=True)
    skill = serializers.CharField(source="skill.text", read_only=True)

    class Meta:
        model = TaskResult
        fields = [
            "school_code",
            "year",
            "procedure",
            "subject",
            "grade",
            "task",
            "max_score",
            "skill",
            "participants",
            "completion",
            "municipal_completion",
        ]


class SkillResultSerializer(serializers.ModelSerializer):
    school_code = serializers.CharField(source="school.code", read_only=True)
    procedure = serializers.CharField(source="procedure.code", read_only=True)
    subject = serializers.CharField(source="subject.name", read_only=True)
    skill = serializers.CharField(source="skill.text", read_only=True)

    class Meta:
        model = SkillResult
        fields = [
            "school_code",
            "year",
            "procedure",
            "subject",
            "grade",
            "skill",
            "participants",
            "completion",
            "municipal_completion",
            "deficit",
        ]


class MunicipalSkillResultSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.name", read_only=True)
    procedure = serializers.CharField(source="procedure.code", read_only=True)
    subject = serializers.CharField(source="subject.name", read_only=True)
    skill = serializers.CharField(source="skill.text", read_only=True)

    class Meta:
        model = MunicipalSkillResult
        fields = [
            "municipality",
            "year",
            "procedure",
            "subject",
            "grade",
            "skill",
            "participants",
            "completion",
            "weak",
            "schools",
            "deficit_schools",
            "tasks",
        ]


class SkillSerializer(serializers.ModelSerializer):
    subject = serializers.CharField(source="subject.name", read_only=True)

    class Meta:
        model = Skill
        fields = ["id", "subject", "text", "key"]


class PlanTaskSerializer(serializers.ModelSerializer):
    skill = serializers.CharField(source="skill.text", read_only=True)
    skill_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = PlanTask
        fields = ["label", "max_score", "skill", "skill_id", "kes_codes", "topic"]


class TaskPlanSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="procedure.code", read_only=True)
    subject = serializers.CharField(source="subject.name", read_only=True)
    tasks = PlanTaskSerializer(many=True, read_only=True)

    class Meta:
        model = TaskPlan
        fields = ["id", "year", "procedure", "subject", "grade", "max_total", "tasks"]


class PlanImportSerializer(CheckedImportSerializer):
    class Meta(CheckedImportSerializer.Meta):
        model = PlanImport
        fields = read_only_fields = CheckedImportSerializer.fields_with("plans_total", "plans_replaced")
