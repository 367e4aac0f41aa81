from rest_framework import serializers

from accounts import scoping
from accounts.scoping import MANAGE
from core.api import RestrictedSerializerMixin
from curators import services
from curators.models import CuratorAssignment, LessonObservation, PartnerPair, Recommendation, Visit


class CuratorAssignmentSerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    # The page's rules (curators.forms.AssignmentForm): schools and orders of the managed
    # scope, a curator the coordinator may appoint.
    scope_action = MANAGE
    scope_fields = {"curator": scoping.appointable_curators}
    curator_name = serializers.CharField(source="curator.full_name", read_only=True)
    in_force = serializers.BooleanField(read_only=True, help_text="in force today (this year, not ended, within dates)")

    class Meta:
        model = CuratorAssignment
        fields = [
            "id",
            "curator",
            "curator_name",
            "workplace",
            "position",
            "school",
            "year",
            "role",
            "order",
            "date_from",
            "date_to",
            "is_active",
            "in_force",
        ]
        validators = []  # the service reports duplicates in Russian

    def validate(self, attrs):
        candidate = CuratorAssignment(**{**self._current(), **attrs})
        services.assignment_validate(assignment=candidate)
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        names = ["curator", "school", "year", "role", "order", "date_from", "date_to", "is_active"]
        return {"pk": self.instance.pk, **{n: getattr(self.instance, n) for n in names}}


class PartnerPairSerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    scope_action = MANAGE

    class Meta:
        model = PartnerPair
        fields = ["id", "school", "leader", "year", "order", "plan"]
        validators = []

    def validate(self, attrs):
        school = attrs.get("school") or getattr(self.instance, "school", None)
        leader = attrs.get("leader") or getattr(self.instance, "leader", None)
        if school and leader and school == leader:
            from django.utils.translation import gettext as _

            raise serializers.ValidationError({"leader": [_("A school cannot be its own partner.")]})
        year = attrs.get("year", getattr(self.instance, "year", None))
        # The model's unique constraint, said as a 400 (the default validator is off: it would
        # name fields the user's scope narrows).
        same = PartnerPair.objects.filter(school=school, leader=leader, year=year)
        if self.instance is not None:
            same = same.exclude(pk=self.instance.pk)
        if school and leader and year and same.exists():
            from django.utils.translation import gettext as _

            raise serializers.ValidationError(
                {"leader": [_("This school already has this leading partner in that academic year.")]}
            )
        return attrs


class LessonSerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = LessonObservation
        fields = [
            "id",
            "teacher",
            "subject",
            "grade",
            "rating_goals",
            "rating_methods",
            "rating_assessment",
            "strengths",
            "difficulties",
        ]


class DoneSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RecommendationSerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    scope_fields = {"owner_user": scoping.visit_people}
    state = serializers.CharField(read_only=True)
    school = serializers.IntegerField(source="visit.school_id", read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "visit",
            "school",
            "text",
            "owner_text",
            "owner_user",
            "due_date",
            "status",
            "state",
            "done_comment",
            "done_at",
            "closed_at",
        ]
        read_only_fields = ["visit", "status", "done_comment", "done_at", "closed_at"]


class VisitSerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    scope_fields = {"school": scoping.visit_schools}
    lessons = LessonSerializer(many=True, required=False)
    recommendations = RecommendationSerializer(many=True, required=False)

    class Meta:
        model = Visit
        fields = [
            "id",
            "school",
            "curator",
            "kind",
            "date",
            "participants",
            "findings",
            "extracurricular_observed",
            "confirmed_at",
            "lessons",
            "recommendations",
        ]
        read_only_fields = ["curator", "confirmed_at"]

    def create(self, validated_data):
        lessons = [LessonObservation(**d) for d in validated_data.pop("lessons", [])]
        recs = [Recommendation(**d) for d in validated_data.pop("recommendations", [])]
        visit = Visit(**validated_data)
        return services.visit_create(
            user=self.context["request"].user, visit=visit, lessons=lessons, recommendations=recs
        )

    def update(self, instance, validated_data):
        validated_data.pop("lessons", None)
        validated_data.pop("recommendations", None)
        for k, v in validated_data.items():
            setattr(instance, k, v)
        return services.visit_update(user=self.context["request"].user, visit=instance)
