from django.urls import reverse
from rest_framework import serializers

from core.years import current_academic_year
from reports.models import GeneratedReport, ReportFormat, ReportKind


class GeneratedReportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = GeneratedReport
        fields = [
            "id",
            "kind",
            "fmt",
            "title",
            "year",
            "school",
            "municipality",
            "status",
            "progress",
            "checksum",
            "pages",
            "error",
            "created",
            "finished",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str | None:
        if obj.status != "done":
            return None
        url = reverse("api-report-download", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    subject = serializers.IntegerField(help_text="id of the school (school report) or municipality (other documents)")
    year = serializers.IntegerField(min_value=2000, max_value=2100, default=current_academic_year)
    fmt = serializers.ChoiceField(choices=ReportFormat.choices, default=ReportFormat.PDF)
