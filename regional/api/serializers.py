from rest_framework import serializers

from regional.selectors import EXTRA_KEYS, FIGURES
from schools.models import Region


class RegionSerializer(serializers.ModelSerializer):
    municipalities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Region
        fields = ["id", "name", "code", "municipalities"]


def _figure_field(kind: str) -> serializers.Field:
    if kind == "count":
        return serializers.IntegerField(allow_null=True)
    return serializers.FloatField(allow_null=True)


class MunicipalitySummarySerializer(serializers.Serializer):
    """One municipality in one academic year: every figure of the regional comparison.
    Shares are fractions in [0, 1]; counts are whole numbers; null where there is no data."""

    municipality = serializers.IntegerField()
    municipality_name = serializers.CharField()
    region = serializers.IntegerField()
    year = serializers.IntegerField(help_text="The academic year by the year it starts in (2025 = 2025/2026).")

    def get_fields(self):
        fields = super().get_fields()
        kinds = {f.key: f.kind for f in FIGURES} | dict.fromkeys(EXTRA_KEYS, "count")
        for key, kind in kinds.items():
            fields[key] = _figure_field(kind)
        return fields
