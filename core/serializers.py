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


class UploadSerializer(serializers.ModelSerializer):
    """An import's file in (``file``, ``dry_run``); its state, counts and every error out
    (``core.models.UploadedFile``).  A concrete import names its model and adds its own fields
    with ``fields_with``."""

    file = serializers.FileField(write_only=True)

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

    @classmethod
    def fields_with(cls, *counts: str, after: dict[str, tuple[str, ...]] | None = None) -> list[str]:
        """The shared fields with an import's ``counts`` after ``rows_total`` and other fields
        after the ones ``after`` names."""
        after = {"rows_total": counts, **(after or {})}
        fields = []
        for name in UploadSerializer.Meta.fields:
            fields += [name, *after.get(name, ())]
        return fields

    def validate_file(self, value):
        return validate_upload(value)


class CheckedImportSerializer(UploadSerializer):
    """A checked import (``core.models.CheckedImport``): ``dry_run`` only checks the file."""

    status = serializers.CharField(read_only=True, help_text="checked, done, failed, cancelled")
    dry_run = serializers.BooleanField(default=False, write_only=True)
