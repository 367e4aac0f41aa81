from rest_framework import serializers

from assessment.models import Flag, GroupResult, ImportBatch, SchoolIndex, Spread
from core.serializers import UploadSerializer


class GroupResultSerializer(serializers.ModelSerializer):
    school_code = serializers.CharField(source="school.code", read_only=True)
    procedure = serializers.CharField(source="procedure.code", read_only=True)
    subject = serializers.CharField(source="subject.name", read_only=True)

    class Meta:
        model = GroupResult
        fields = [
            "school_code",
            "year",
            "procedure",
            "subject",
            "grade",
            "participants",
            "mean_score",
            "mean_percent",
            "share_fail",
            "success_rate",
            "quality_rate",
            "lowered",
            "confirmed",
            "raised",
        ]


class FlagSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(
        read_only=True,
        help_text="low_results, negative_dynamics, non_objective (a school's flags); teacher_dynamics in "
        "/assessment/teacher-dynamics/ (a teacher's rows pooled over grades; grade is null)",
    )
    school_code = serializers.CharField(source="school.code", read_only=True)
    procedure = serializers.CharField(source="procedure.code", read_only=True)
    subject = serializers.CharField(source="subject.name", read_only=True)

    class Meta:
        model = Flag
        fields = [
            "id",
            "kind",
            "school_code",
            "year",
            "procedure",
            "subject",
            "grade",
            "teacher_code",
            "rule",
            "inputs",
            "thresholds",
            "run",
        ]


class SchoolIndexSerializer(serializers.ModelSerializer):
    school_code = serializers.CharField(source="school.code", read_only=True)
    index = serializers.FloatField(source="value", read_only=True)

    class Meta:
        model = SchoolIndex
        fields = ["school_code", "year", "index", "candidate"]


class SpreadSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.name", read_only=True)

    class Meta:
        model = Spread
        fields = ["municipality", "year", "p10", "p90", "spread"]


class ImportBatchSerializer(UploadSerializer):
    status = serializers.CharField(read_only=True, help_text="pending, running, done, failed, rolled_back")
    dry_run = serializers.BooleanField(default=False)

    class Meta(UploadSerializer.Meta):
        model = ImportBatch
        fields = read_only_fields = UploadSerializer.fields_with(
            "rows_created", "rows_updated", after={"status": ("progress",), "created": ("started", "attempts")}
        )
