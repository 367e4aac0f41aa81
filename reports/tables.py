import django_tables2 as tables
from django.template.loader import get_template
from django.utils.html import conditional_escape, strip_tags
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

    # The two template columns' cells read nothing but their record or value, so they are
    # rendered without the page: django-tables2's TemplateColumn compiles the year's template
    # code for every cell and renders the status badge with the request — a RequestContext
    # per row, i.e. every context processor (the whole menu) once per row (bench/README.md,
    # session 7, h20e).  The xlsx: TemplateColumn.value's text of the same cell.

    def render_year(self, value):
        from core.templatetags.opora import academic_year

        return conditional_escape(academic_year(value))

    def render_status(self, record):
        return get_template(self.base_columns["status"].template_name).render({"record": record})

    def value_year(self, value):
        return strip_tags(self.render_year(value)).strip()

    def value_status(self, record):
        return strip_tags(self.render_status(record)).strip()

    def render_subject(self, record):
        return record.school or record.municipality or "—"

    def value_subject(self, record):
        return str(record.school or record.municipality or "")
