"""The API's shared serializers: an uploaded spreadsheet's size and type, and a checked
import's file, state, counts and every error (``core.models.CheckedImport``)."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers


def validate_upload(value):
    """An uploaded results-like file: at most RESULTS_UPLOAD_MAX_BYTES, .xlsx or .csv (its
    shape is measured later, before any parser, by ``core.spreadsheets``)."""
    if value.size > settings.RESULTS_UPLOAD_MAX_BYTES:
        raise serializers.ValidationError(
            _("The file is too large: %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": value.size / 2**20, "limit": settings.RESULTS_UPLOAD_MAX_BYTES / 2**20}
        )
    if not value.name.lower().endswith((".xlsx", ".csv")):
        raise serializers.ValidationError(_("Only .xlsx and .csv files are accepted."))
    return value


class CheckedImportSerializer(serializers.ModelSerializer):
    """``file`` and ``dry_run`` in; the import's state, counts and errors out.  A concrete
    import's serializer names its model and its own counts (``counts``)."""

    status = serializers.CharField(read_only=True, help_text="checked, done, failed, cancelled")
    file = serializers.FileField(write_only=True)
    dry_run = serializers.BooleanField(default=False, write_only=True)

    class Meta:
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
            "error_count",
            "errors",
            "message",
            "years",
        ]
        # Every model field is read-only; ``file`` and ``dry_run`` are declared, so writable.
        read_only_fields = fields

    @staticmethod
    def fields_with(*counts: str) -> list[str]:
        """The shared fields with a concrete import's counts after ``rows_total``."""
        fields = list(CheckedImportSerializer.Meta.fields)
        at = fields.index("rows_total") + 1
        return [*fields[:at], *counts, *fields[at:]]

    def validate_file(self, value):
        return validate_upload(value)
