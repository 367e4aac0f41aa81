from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.scoping import MANAGE
from core.api import RestrictedSerializerMixin
from core.forms import SHARED
from schools.models import Municipality, School


class MunicipalitySerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Municipality
        fields = ["id", "name", "region", "education_body", "methodical_centre"]


class FigureField(serializers.ReadOnlyField):
    """A figure of ``schools.selectors.working_table`` (read-only; empty on a school just
    created or changed, which the response of a write reads without the figures)."""

    def get_attribute(self, instance):
        return getattr(instance, self.source, None)


def _figure(schema: dict, help_text: str) -> FigureField:
    return extend_schema_field({**schema, "nullable": True, "readOnly": True})(type("Figure", (FigureField,), {}))(
        help_text=help_text
    )


class SchoolSerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    scope_action = MANAGE  # only municipalities the user may manage are valid targets
    # The coordinator's working table (schools.selectors.working_table): the same figures as
    # the schools page, the card and the documents.
    is_low_results = _figure({"type": "boolean"}, "ШНОР this academic year")
    school_index = _figure({"type": "number"}, "index of the latest year with results in the caller's scope")
    flags_count = _figure({"type": "integer"}, "school flags of that year (teachers' dynamics not included)")
    risk_level = _figure(
        {"type": "string", "enum": ["high", "medium", "low", "none", None]},
        "the highest level of the school's latest risk profile",
    )
    curators = _figure({"type": "string"}, "curators in force this academic year, «Фамилия И.О.» joined by «, »")
    last_visit = _figure({"type": "string", "format": "date"}, "date of the last visit")
    roadmap_progress = _figure({"type": "number"}, "done ÷ planned activities of this year's roadmaps (0..1)")

    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "municipality",
            "address",
            "is_rural",
            "director",
            "email",
            "phone",
            "students_count",
            "teachers_count",
            "is_active",
            "is_low_results",
            "school_index",
            "flags_count",
            "risk_level",
            "curators",
            "last_visit",
            "roadmap_progress",
        ]
        plain_fields = True  # every field is a column or a figure: list pages are read with values()


# --- Programme side (issue 3) --------------------------------------------------------

from django.core.exceptions import ValidationError as DjangoValidationError  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.scoping import EDIT  # noqa: E402
from schools import services  # noqa: E402
from schools.forms import order_file_validator  # noqa: E402
from schools.models import Order, Programme, ProgrammeParticipant, RiskAssessment, SchoolStatus  # noqa: E402


class OrderSerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    scope_action = MANAGE
    file = serializers.FileField(required=False, allow_null=True, validators=[order_file_validator])

    class Meta:
        model = Order
        fields = ["id", "municipality", "region", "kind", "number", "date", "issuer", "title", "file"]
        read_only_fields = ["region"]

    def get_fields(self):
        fields = super().get_fields()
        fields["municipality"].allow_null = False
        fields["municipality"].required = True
        return fields

    def validate(self, attrs):
        muni = attrs.get("municipality") or getattr(self.instance, "municipality", None)
        if muni is not None:
            attrs["region"] = muni.region
        return attrs

    def create(self, validated_data):
        validated_data["created_by"] = self.context["request"].user
        return super().create(validated_data)


class SchoolStatusSerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    scope_action = MANAGE
    school_name = serializers.CharField(source="school.short_name", read_only=True)

    class Meta:
        model = SchoolStatus
        fields = ["id", "school", "school_name", "kind", "year_from", "year_to", "order", "end_order", "note"]

    def validate(self, attrs):
        def pick(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        services.status_validate(
            school=pick("school"),
            kind=pick("kind"),
            year_from=pick("year_from"),
            year_to=pick("year_to"),
            order=pick("order"),
            exclude_pk=getattr(self.instance, "pk", None),
        )
        return attrs


class ParticipantSchoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = ["id", "code", "name", "short_name"]
        read_only_fields = fields


class ProgrammeParticipantSerializer(serializers.ModelSerializer):
    """A participating school as another system reads it: the school's id, code and names, and
    the participation's own note (the participation's id is its row in the programme)."""

    school = ParticipantSchoolSerializer(read_only=True)

    class Meta:
        model = ProgrammeParticipant
        fields = ["id", "school", "note"]
        read_only_fields = fields


class ProgrammeSerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    scope_action = MANAGE
    # Read with the programme's prefetch (schools.api.views.ProgrammeViewSet): no query per participant.
    participants = ProgrammeParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "municipality", "kind", "name", "year", "order", "description", "participants"]

    def validate_year(self, value):
        try:
            return services.validate_year(year=value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["year"]) from exc


class RiskAssessmentSerializer(RestrictedSerializerMixin, serializers.ModelSerializer):
    scope_action = EDIT
    scope_fields = {"factor": SHARED}  # the catalogue of risk factors
    factor_name = serializers.CharField(source="factor.name", read_only=True)

    class Meta:
        model = RiskAssessment
        fields = ["id", "school", "year", "factor", "factor_name", "level", "comment", "confirmed_at"]
        read_only_fields = ["confirmed_at"]
        validators = []  # the service upserts one factor per school and year

    def _save(self, school, year, factor, level, comment):
        with transaction.atomic():
            services.risk_profile_save(
                school=school,
                year=year,
                levels={factor.pk: level},
                comments={factor.pk: comment},
                user=self.context["request"].user,
            )
        return RiskAssessment.objects.get(school=school, year=year, factor=factor)

    def create(self, validated_data):
        d = validated_data
        return self._save(d["school"], d["year"], d["factor"], d["level"], d.get("comment", ""))

    def update(self, instance, validated_data):
        return self._save(
            instance.school,
            instance.year,
            instance.factor,
            validated_data.get("level", instance.level),
            validated_data.get("comment", instance.comment),
        )
