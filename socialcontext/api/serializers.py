from rest_framework import serializers

from core.serializers import CheckedImportSerializer
from socialcontext.models import ContextFit, ContextImport, PartnerSuggestion, SchoolContextFigure


class SchoolContextFigureSerializer(serializers.ModelSerializer):
    """CONTEXT.md §5: a row for every school with a context index; the fit's fields are null
    where its municipality-year has no fit."""

    school_code = serializers.CharField(source="school.code", read_only=True)
    category = serializers.SerializerMethodField(help_text="resilient, below, above, expected; null without a fit")

    class Meta:
        model = SchoolContextFigure
        fields = ["school_code", "year", "context_index", "school_index", "expected", "residual", "category", "anomaly"]

    def get_category(self, obj) -> str | None:
        return obj.category or None


class ContextFitSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.name", read_only=True)

    class Meta:
        model = ContextFit
        fields = ["municipality", "year", "schools", "intercept", "slope", "r2", "sigma_residual"]


class PartnerSuggestionSerializer(serializers.ModelSerializer):
    school_code = serializers.CharField(source="school.code", read_only=True)
    partner_code = serializers.CharField(source="partner.code", read_only=True)

    class Meta:
        model = PartnerSuggestion
        fields = ["school_code", "year", "partner_code", "rank", "context_gap", "index_gap"]


class ContextImportSerializer(CheckedImportSerializer):
    class Meta(CheckedImportSerializer.Meta):
        model = ContextImport
        fields = read_only_fields = CheckedImportSerializer.fields_with("rows_created", "rows_updated")
