from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

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


class ContextImportSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="checked, done, failed, cancelled")
    file = serializers.FileField(write_only=True)
    dry_run = serializers.BooleanField(default=False, write_only=True)

    class Meta:
        model = ContextImport
        fields = [
            "id",
            "file",
            "dry_run",
            "original_name",
            "checksum",
            "status",
            "created",
            "finished",
            "rows_total",
            "rows_created",
            "rows_updated",
            "error_count",
            "errors",
            "message",
            "years",
        ]
        read_only_fields = [f for f in fields if f not in ("file", "dry_run")]

    def validate_file(self, value):
        limit = settings.RESULTS_UPLOAD_MAX_BYTES
        if value.size > limit:
            raise serializers.ValidationError(
                _("The file is too large: %(size).1f MB; the limit is %(limit).0f MB.")
                % {"size": value.size / 2**20, "limit": limit / 2**20}
            )
        if not value.name.lower().endswith((".xlsx", ".csv")):
            raise serializers.ValidationError(_("Only .xlsx and .csv files are accepted."))
        return value
