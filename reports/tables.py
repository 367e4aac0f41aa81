import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reports.models import GeneratedReport


class GeneratedReportTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name=_("Document"))
    year = tables.TemplateColumn("{% load opora %}{{ value|academic_year }}", verbose_name=_("Academic year"))
    subject = tables.Column(empty_values=(), orderable=False, verbose_name=_("About"))
    fmt = tables.Column(verbose_name=pgettext_lazy("file", "Format"))
    status = tables.TemplateColumn(template_name="reports/_status_badge.html", verbose_name=_("Status"))
    created = tables.DateTimeColumn(format="d.m.Y H:i", verbose_name=_("Requested"))

    class Meta:
        model = GeneratedReport
        fields = ["title", "year", "subject", "fmt", "status", "created"]
        order_by = ("-created",)

    def render_subject(self, record):
        return record.school or record.municipality or "—"

    def value_subject(self, record):
        return str(record.school or record.municipality or "")
