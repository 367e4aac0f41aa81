from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts import scoping
from accounts.scoping import EDIT
from core.api import RestrictedSerializerMixin
from core.forms import SHARED
from roadmaps.models import (
    Activity,
    ActivityStatus,
    Goal,
    Indicator,
    ProgressReport,
    ReportEntry,
    Roadmap,
    SchoolDocument,
    Task,
)
from roadmaps.services import activity_date_errors


class SchoolDocumentSerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    scope_action = EDIT
    scope_fields = {"risk_factor": SHARED}  # the catalogue of risk factors

    class Meta:
        model = SchoolDocument
        fields = [
            "id",
            "school",
            "kind",
            "risk_factor",
            "year",
            "title",
            "file",
            "version",
            "status",
            "curator_comment",
            "updated",
        ]
        read_only_fields = ["version", "status", "curator_comment", "updated"]


class RoadmapSerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    scope_action = EDIT

    class Meta:
        model = Roadmap
        fields = [
            "id",
            "school",
            "owner_municipality",
            "title",
            "year",
            "start_date",
            "end_date",
            "period_kind",
            "report_due_days",
            "status",
        ]
        read_only_fields = ["status"]

    def validate(self, attrs):
        school = attrs.get("school", getattr(self.instance, "school", None))
        muni = attrs.get("owner_municipality", getattr(self.instance, "owner_municipality", None))
        if bool(school) == bool(muni):
            raise serializers.ValidationError(_("Choose either a school or a municipality as the roadmap's owner."))
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": _("The end date is before the start date.")})
        return attrs


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", "roadmap", "position", "title"]


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "goal", "position", "title"]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "activity",
            "name",
            "unit",
            "baseline",
            "target",
            "source_procedure",
            "source_subject",
            "source_grade",
            "source_metric",
        ]


class ActivitySerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    scope_fields = {"responsible_user": scoping.roadmap_people, "risk_factor": SHARED}
    roadmap = serializers.IntegerField(source="task.goal.roadmap_id", read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "roadmap",
            "task",
            "position",
            "title",
            "responsible_name",
            "responsible_position",
            "responsible_user",
            "start_date",
            "due_date",
            "expected_result",
            "risk_factor",
            "progress_status",
            "indicators",
        ]
        read_only_fields = ["progress_status"]

    def validate(self, attrs):
        task = attrs.get("task", getattr(self.instance, "task", None))
        if task is not None:
            errors = activity_date_errors(
                task.goal.roadmap,
                attrs.get("start_date", getattr(self.instance, "start_date", None)),
                attrs.get("due_date", getattr(self.instance, "due_date", None)),
            )
            if errors:
                raise serializers.ValidationError({k: str(v) for k, v in errors.items()})
        return attrs


class ReportEntrySerializer(serializers.ModelSerializer):
    activity_title = serializers.CharField(source="activity.title", read_only=True)

    class Meta:
        model = ReportEntry
        fields = [
            "id",
            "activity",
            "activity_title",
            "status",
            "cancel_reason",
            "comment",
            "evidence_link",
            "curator_comment",
        ]


class ProgressReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "roadmap",
            "period_start",
            "period_end",
            "period_label",
            "due_date",
            "status",
            "version",
            "return_reason",
            "submitted_at",
            "approved_at",
        ]
        read_only_fields = fields


class ProgressReportCreateSerializer(RestrictedSerializerMixin, serializers.Serializer):
    scope_action = EDIT
    roadmap = serializers.PrimaryKeyRelatedField(queryset=Roadmap.objects.all())
    period_start = serializers.DateField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    comments = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict)


class EntryInputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ActivityStatus.choices)
    cancel_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    evidence_link = serializers.URLField(required=False, allow_blank=True, default="")
    actuals = serializers.DictField(
        child=serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True), required=False, default=dict
    )

    def validate(self, attrs):
        if attrs["status"] == ActivityStatus.CANCELLED and not attrs["cancel_reason"].strip():
            raise serializers.ValidationError({"cancel_reason": _("Give the reason for cancelling the activity.")})
        return attrs


class ReportSaveSerializer(serializers.Serializer):
    """The school's part of a report; ``version`` is the one the client read (optimistic lock)."""

    version = serializers.IntegerField()
    entries = EntryInputSerializer(many=True)

    def entries_data(self) -> dict:
        result = {}
        for e in self.validated_data["entries"]:
            actuals = {int(k): v for k, v in e["actuals"].items() if str(k).isdigit()}
            result[e["id"]] = {**{k: v for k, v in e.items() if k not in ("id", "actuals")}, "actuals": actuals}
        return result
