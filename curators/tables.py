import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from curators.models import CuratorAssignment, PartnerPair, Recommendation, Visit
from schools.tables import AcademicYearColumn, DateColumn, SchoolColumn


class CuratorAssignmentTable(tables.Table):
    curator = tables.Column(verbose_name=_("Curator"), order_by=("curator__last_name",))
    school = SchoolColumn(linkify=True, verbose_name=_("School"))
    year = AcademicYearColumn(verbose_name=_("Academic year"))
    role = tables.Column(verbose_name=_("Role"))
    order = tables.Column(verbose_name=_("Order"))
    workplace = tables.Column(verbose_name=_("Place of work"), empty_values=(), orderable=False)
    position = tables.Column(verbose_name=_("Position"), empty_values=(), orderable=False)
    date_from = DateColumn(verbose_name=_("From"))
    date_to = DateColumn(verbose_name=_("To"))
    is_active = tables.Column(verbose_name=_("State"), empty_values=(), order_by=("-is_active", "-year"))
    detail = tables.LinkColumn(
        "curators:assignment-detail",
        args=[tables.A("pk")],
        text=_("Open"),
        orderable=False,
        verbose_name="",
        exclude_from_export=True,
    )

    class Meta:
        model = CuratorAssignment
        fields = [
            "curator",
            "workplace",
            "position",
            "school",
            "year",
            "role",
            "order",
            "date_from",
            "date_to",
            "is_active",
        ]
        order_by = ("-year", "school")

    def render_workplace(self, record):
        return record.workplace or (record.curator.school.short_name if record.curator.school_id else "—")

    def value_workplace(self, record):
        return record.workplace or (record.curator.school.short_name if record.curator.school_id else "")

    def render_position(self, record):
        return record.position or record.curator.position or "—"

    def value_position(self, record):
        return record.position or record.curator.position

    def render_is_active(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            "text-bg-success" if record.in_force else "text-bg-light border",
            record.state_label,
        )

    def value_is_active(self, record):
        return record.state_label


class PartnerPairTable(tables.Table):
    school = SchoolColumn(verbose_name=_("Supported school"))
    leader = SchoolColumn(verbose_name=_("Leader school"))
    year = AcademicYearColumn(verbose_name=_("Academic year"))
    order = tables.Column(verbose_name=_("Order"))
    detail = tables.LinkColumn(
        "curators:pair-detail",
        args=[tables.A("pk")],
        text=_("Open"),
        orderable=False,
        verbose_name="",
        exclude_from_export=True,
    )

    class Meta:
        model = PartnerPair
        fields = ["school", "leader", "year", "order"]
        order_by = ("-year", "school")


class VisitTable(tables.Table):
    date = DateColumn(verbose_name=_("Date"), linkify=True)
    school = SchoolColumn(verbose_name=_("School"))
    kind = tables.Column(verbose_name=_("Kind"))
    curator = tables.Column(verbose_name=_("Curator"), order_by=("curator__last_name",))
    lessons_count = tables.Column(verbose_name=_("Lessons"))
    open_count = tables.Column(verbose_name=_("Open recommendations"))
    confirmed_at = tables.DateTimeColumn(format="d.m.Y", verbose_name=_("Confirmed by the school"))

    class Meta:
        model = Visit
        fields = ["date", "school", "kind", "curator", "lessons_count", "open_count", "confirmed_at"]
        order_by = ("-date",)


class RecommendationTable(tables.Table):
    text = tables.Column(verbose_name=_("Recommendation"), linkify=lambda record: record.visit.get_absolute_url())
    school = SchoolColumn(accessor="visit__school", verbose_name=_("School"))
    owner = tables.Column(empty_values=(), orderable=False, verbose_name=_("Owner"))
    due_date = DateColumn(verbose_name=_("Due date"))
    state = tables.Column(empty_values=(), verbose_name=_("Status"), order_by=("status", "due_date"))

    class Meta:
        model = Recommendation
        fields = ["text", "school", "owner", "due_date", "state"]
        order_by = ("due_date",)

    def render_text(self, value):
        return value if len(value) <= 120 else value[:118] + "…"

    def render_owner(self, record):
        return record.owner

    def render_state(self, record):
        css = {
            "overdue": "text-bg-danger",
            "open": "text-bg-warning",
            "done": "text-bg-info",
            "closed": "text-bg-success",
        }
        return format_html('<span class="badge {}">{}</span>', css[record.state], record.get_state_display())

    def value_state(self, record):
        return record.get_state_display()
