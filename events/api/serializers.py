from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api import ModelCleanMixin, RestrictedSerializerMixin
from events.forms import LEVEL_RULES
from events.models import AgendaStep, Event, FeedbackAnswer, FeedbackResponse, Material, Registration


class AgendaStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaStep
        fields = ["position", "title", "description", "duration_minutes", "lead"]


class EventSerializer(RestrictedSerializerMixin, ModelCleanMixin, serializers.ModelSerializer):
    scope_fields = LEVEL_RULES  # the form's rules
    agenda = AgendaStepSerializer(many=True, read_only=True)
    registered = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "url",
            "municipality",
            "region",
            "host_school",
            "format",
            "title",
            "status",
            "organiser_schools",
            "organisers_note",
            "audience_kind",
            "audience",
            "themes",
            "start",
            "end",
            "place",
            "link",
            "capacity",
            "registration_deadline",
            "registered",
            "goal",
            "tasks",
            "expected_results",
            "key_ideas",
            "results",
            "decisions",
            "agenda",
        ]

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()

    def validate(self, attrs):
        validate_level(self.instance, attrs)
        # The model's clean() (ModelCleanMixin): dates in order, the registration deadline not
        # after the end, the host school in the event's municipality — the form's rules.
        return super().validate(attrs)


class RegistrationSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.short_name", read_only=True)
    has_feedback = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "event",
            "school",
            "school_name",
            "full_name",
            "position",
            "status",
            "attended",
            "created_at",
            "has_feedback",
        ]
        read_only_fields = ["status", "attended", "created_at"]

    def get_has_feedback(self, obj) -> bool:
        return hasattr(obj, "feedback")


class AttendanceSerializer(serializers.Serializer):
    attended = serializers.BooleanField()


class FeedbackAnswerSerializer(serializers.ModelSerializer):
    question_text = serializers.CharField(source="question.text", read_only=True)

    class Meta:
        model = FeedbackAnswer
        fields = ["question", "question_text", "rating", "text"]


class FeedbackResponseSerializer(serializers.ModelSerializer):
    answers = FeedbackAnswerSerializer(many=True)
    event = serializers.IntegerField(source="registration.event_id", read_only=True)

    class Meta:
        model = FeedbackResponse
        fields = ["id", "registration", "event", "submitted_at", "answers"]
        read_only_fields = ["submitted_at"]
        # One feedback per registration is enforced by the service with a Russian message.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        fields["registration"] = serializers.PrimaryKeyRelatedField(queryset=Registration.objects.all())
        return fields


class MaterialSerializer(RestrictedSerializerMixin, ModelCleanMixin, serializers.ModelSerializer):
    scope_fields = LEVEL_RULES  # the form's rules

    class Meta:
        model = Material
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "authors",
            "municipality",
            "region",
            "school",
            "themes",
            "events",
            "year",
            "url",
            "file",
            "created_at",
        ]
        # The file comes with a multipart body (validated by the model field's
        # UploadValidator), or a link instead: never silently dropped.
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        validate_level(self.instance, attrs)
        return super().validate(attrs)


def validate_level(instance, attrs: dict) -> None:
    """Exactly one of the municipality and the region (a regional event or material)."""
    municipality = attrs.get("municipality", getattr(instance, "municipality", None))
    region = attrs.get("region", getattr(instance, "region", None))
    if municipality and region:
        raise serializers.ValidationError({"region": _("Choose either the municipality or the region, not both.")})
    if not municipality and not region:
        raise serializers.ValidationError(
            {"municipality": _("Choose the municipality, or the region for a regional one.")}
        )
