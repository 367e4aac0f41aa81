import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.templatetags.opora import academic_year, percent
from roadmaps.models import ProgressReport, Roadmap, SchoolDocument
from roadmaps.selectors import completion_share
from schools.tables import SchoolColumn


class SchoolDocumentTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name=_("Title"))
    school = SchoolColumn(verbose_name=_("School"))
    kind = tables.Column(verbose_name=pgettext_lazy("document", "Kind"))
    year = tables.Column(verbose_name=_("Academic year"))
    version = tables.Column(verbose_name=_("Version"))
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = SchoolDocument
        fields = ["title", "school", "kind", "year", "version", "status"]
        order_by = ("-year", "school")

    def render_year(self, value):
        return academic_year(value)


class RoadmapTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name=_("Roadmap"))
    owner = tables.Column(verbose_name=_("Roadmap owner"), accessor="owner", order_by=("school__sort_name",))
    year = tables.Column(verbose_name=_("Academic year"))
    status = tables.Column(verbose_name=_("Status"))
    n_activities = tables.Column(verbose_name=_("Activities"))
    completion = tables.Column(verbose_name=_("Completion"), accessor="pk", order_by=("n_done",))
    n_overdue = tables.Column(verbose_name=_("Overdue"))

    class Meta:
        model = Roadmap
        fields = ["title", "owner", "year", "status", "n_activities", "completion", "n_overdue"]
        order_by = ("-year", "title")

    def render_year(self, value):
        return academic_year(value)

    def render_completion(self, record):
        share = completion_share(record)
        return "—" if share is None else percent(share)

    def value_completion(self, record):
        share = completion_share(record)
        return None if share is None else round(share * 100, 1)

    def render_n_overdue(self, value):
        return format_html('<span class="badge text-bg-danger">{}</span>', value) if value else "0"

    def value_n_overdue(self, value):
        return value


class ProgressReportTable(tables.Table):
    period_label = tables.Column(linkify=True, verbose_name=_("Period"), order_by=("period_start",))
    roadmap = tables.Column(verbose_name=_("Roadmap"), order_by=("roadmap__title",))
    owner = tables.Column(
        verbose_name=_("Roadmap owner"), accessor="roadmap__owner", order_by=("roadmap__school__sort_name",)
    )
    due_date = tables.DateColumn(format="d.m.Y", verbose_name=_("Due"))
    status = tables.Column(verbose_name=_("Status"))
    submitted_at = tables.DateTimeColumn(format="d.m.Y", verbose_name=_("Submitted"))

    class Meta:
        model = ProgressReport
        fields = ["period_label", "roadmap", "owner", "due_date", "status", "submitted_at"]
        order_by = ("-period_start",)

    def render_roadmap(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("roadmaps:roadmap-detail", args=[record.roadmap_id]), record.roadmap.title
        )

    def value_roadmap(self, record):
        return record.roadmap.title

    def render_status(self, record, value):
        css = {"approved": "success", "accepted": "info", "submitted": "primary", "returned": "warning"}.get(
            record.status, "secondary"
        )
        late = format_html(' <span class="badge text-bg-danger">{}</span>', _("late")) if record.is_late else ""
        return format_html('<span class="badge text-bg-{}">{}</span>{}', css, value, late)

    def value_status(self, record, value):
        return value
