import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from schools.models import RiskLevel, School


class SchoolColumn(tables.Column):
    """A school: on one line («СШ № 17» must not break after «№») and sorted as School's own
    ordering has it (municipality, then natural order by ``sort_name``), which a sort by the
    relation gets from Django."""

    attrs = {"td": {"class": "text-nowrap"}}


class NullsLastColumn(tables.Column):
    """Sorted with empty values last whichever way (a school without an index or a visit is
    not «the lowest» nor «the highest»)."""

    def __init__(self, *args, sort_field: str | None = None, **kwargs):
        self.sort_field = sort_field
        super().__init__(*args, **kwargs)

    def order(self, queryset, is_descending):
        from django.db.models import F

        field = F(self.sort_field or self.accessor.replace(".", "__"))
        key = field.desc(nulls_last=True) if is_descending else field.asc(nulls_last=True)
        return queryset.order_by(key, "sort_name"), True


def _status_labels() -> dict:
    from schools.models import StatusKind

    global _STATUS_LABELS
    if _STATUS_LABELS is None:
        _STATUS_LABELS = dict(StatusKind.choices)  # lazy labels: translated when rendered
    return _STATUS_LABELS


_STATUS_LABELS = None


class StatusesNowColumn(tables.Column):
    """The statuses a school holds this year (``working_table``'s ``statuses_now``); sorted by
    whether the school is a ШНОР."""

    def __init__(self, **kwargs):
        kwargs.setdefault("accessor", "pk")
        kwargs.setdefault("empty_values", ())
        super().__init__(**kwargs)

    def order(self, queryset, is_descending):
        from django.db.models import F

        key = F("is_low_results").desc() if not is_descending else F("is_low_results").asc()
        return queryset.order_by(key, "sort_name"), True

    def render(self, record):
        from django.utils.html import format_html_join

        if not record.statuses_now:
            return "—"
        from schools.models import STATUS_SHORT

        # the labels of get_kind_display() and short_label, without Django rebuilding the
        # choices dict for every call (a third of this column's time)
        labels = _status_labels()
        return format_html_join(
            " ",
            '<span class="badge {}" title="{}">{}</span>',
            (
                (
                    "text-bg-danger" if st.kind == "low_results" else "text-bg-light border",
                    labels.get(st.kind, st.kind),
                    STATUS_SHORT.get(st.kind, labels.get(st.kind, st.kind)),
                )
                for st in record.statuses_now
            ),
        )

    def value(self, record):
        return ", ".join(str(st.get_kind_display()) for st in record.statuses_now)


class SchoolTable(tables.Table):
    """The coordinator's working table (``schools.selectors.working_table``): what a coordinator
    works by, each column sortable and filterable, the same in the xlsx."""

    short_name = SchoolColumn(
        linkify=True,
        verbose_name=_("School"),
        order_by=("sort_name",),
        attrs={"th": {"class": "sticky-col"}, "td": {"class": "text-nowrap sticky-col"}},
    )
    code = tables.Column(verbose_name=_("Code"), visible=False)
    municipality = tables.Column(verbose_name=_("Municipality"), order_by=("municipality__name", "sort_name"))
    statuses_now = StatusesNowColumn(verbose_name=_("Status this year"))
    school_index = NullsLastColumn(verbose_name=_("Index"), attrs={"td": {"class": "text-end text-nowrap"}})
    flags_count = tables.Column(verbose_name=_("Flags"), attrs={"td": {"class": "text-end"}})
    risk_rank = NullsLastColumn(verbose_name=_("Risk level"))
    curators = tables.Column(verbose_name=_("Curators"), attrs={"td": {"class": "small"}})
    last_visit = NullsLastColumn(verbose_name=_("Last visit"), attrs={"td": {"class": "text-nowrap"}})
    roadmap_progress = NullsLastColumn(verbose_name=_("Roadmap progress"))

    class Meta:
        model = School
        fields = []
        sequence = (
            "short_name",
            "code",
            "municipality",
            "statuses_now",
            "school_index",
            "flags_count",
            "risk_rank",
            "curators",
            "last_visit",
            "roadmap_progress",
        )
        order_by = ("municipality", "short_name")
        attrs = {"class": "table table-sm table-hover align-middle working-table"}

    def __init__(self, *args, year=None, results_year=None, **kwargs):
        from core.years import academic_year_label

        super().__init__(*args, **kwargs)
        self.year, self.results_year = year, results_year
        self._flag_list_url = self._today = None
        if results_year:
            label = academic_year_label(results_year)
            self.columns["school_index"].column.verbose_name = _("Index %(year)s") % {"year": label}
            self.columns["flags_count"].column.verbose_name = _("Flags %(year)s") % {"year": label}

    def cell_formatters(self) -> dict:
        """The cells of the page's columns as ``{% table_rows %}`` writes them (HTML), straight
        from the record: what each column's ``render`` and django-tables2's link, default and
        escaping give, with what is the same on every row (labels, badges, the URL's
        pattern, the default) worked out once per table instead of per cell through
        ``format_html``.  tests/test_table_rows.py compares the rows with django-tables2's own;
        a column not here (the municipality) takes the general way."""
        from html import escape as html_escape

        from django.urls import reverse
        from django.utils import timezone
        from django.utils.html import conditional_escape, escape

        from schools.models import STATUS_SHORT
        from schools.selectors import RISK_BY_RANK

        default = self.columns["short_name"].default
        if not isinstance(default, str) or any(column.default != default for column in self.columns):
            return {}  # each column's own default: the general way
        dash = conditional_escape(default)
        marker = 999_999_937
        url_before, url_after = reverse("schools:school-detail", args=[marker]).split(str(marker))
        labels = _status_labels()
        badges: dict = {}
        today = timezone.localdate()
        ago = str(_("%(n)s days ago"))
        progress_label = escape(_("Roadmap progress"))
        risk = {rank: self.render_risk_rank(rank) for rank in RISK_BY_RANK}
        flag_url = escape(reverse("assessment:flag-list")) + "?school={}&amp;year=" + escape(self.results_year)

        # the link's pattern escaped once (a pk is digits); the values with the standard
        # library's escape — Django's ``escape`` without its lazy-argument wrapper (the same
        # characters: ``html.escape(str(value))``)
        link_before, link_after = escape(url_before), escape(url_after)

        def short_name(record):
            value = record.short_name
            if value in (None, ""):
                return dash
            return f'<a href="{link_before}{int(record.pk)}{link_after}">{html_escape(str(value))}</a>'

        def badge(kind):
            html = badges.get(kind)
            if html is None:
                css = "text-bg-danger" if kind == "low_results" else "text-bg-light border"
                label = labels.get(kind, kind)
                short = STATUS_SHORT.get(kind, label)
                html = badges[kind] = f'<span class="badge {css}" title="{escape(label)}">{escape(short)}</span>'
            return html

        def statuses_now(record):
            statuses = record.statuses_now
            return " ".join(badge(st.kind) for st in statuses) if statuses else "—"

        def school_index(record):
            value = record.school_index
            return dash if value in (None, "") else html_escape(str(self.render_school_index(value)))

        def flags_count(record):
            value = record.flags_count
            if value in (None, ""):
                return dash
            if not value or not self.results_year:
                return "0"
            return f'<a href="{flag_url.format(record.pk)}">{html_escape(str(value))}</a>'

        def risk_rank(record):
            value = record.risk_rank
            return dash if value in (None, "") else risk[value]

        def curators(record):
            value = record.curators
            return dash if value in (None, "") else html_escape(str(value))

        def last_visit(record):
            value = record.last_visit
            if value in (None, ""):
                return dash
            days = (today - value).days
            css = "text-danger" if days > 60 else ""
            return f'<span class="{css}" title="{html_escape(ago % {"n": days})}">{value.strftime("%d.%m.%Y")}</span>'

        def roadmap_progress(record):
            value = record.roadmap_progress
            if value in (None, ""):
                return dash
            share = round(value * 100)
            return (
                f'<div class="d-flex align-items-center gap-1"><div class="progress flex-grow-1" role="progressbar" '
                f'aria-label="{progress_label}" aria-valuenow="{share}" aria-valuemin="0" aria-valuemax="100" '
                f'style="min-width: 3rem; height: .5rem"><div class="progress-bar" style="width: {share}%"></div>'
                f'</div><span class="small text-nowrap">{share} %</span></div>'
            )

        return {
            "short_name": short_name,
            "statuses_now": statuses_now,
            "school_index": school_index,
            "flags_count": flags_count,
            "risk_rank": risk_rank,
            "curators": curators,
            "last_visit": last_visit,
            "roadmap_progress": roadmap_progress,
        }

    def render_school_index(self, value):
        return f"{value:.2f}".replace(".", ",").replace("-", "−")

    def value_school_index(self, value):
        return round(value, 2)

    def render_flags_count(self, record, value):
        from django.urls import reverse
        from django.utils.html import format_html

        if not value or not self.results_year:
            return "0"
        if self._flag_list_url is None:  # once per table, not per row
            self._flag_list_url = reverse("assessment:flag-list")
        url = self._flag_list_url + f"?school={record.pk}&year={self.results_year}"
        return format_html('<a href="{}">{}</a>', url, value)

    def value_flags_count(self, value):
        return value

    def render_risk_rank(self, value):
        from django.utils.html import format_html

        from schools.selectors import RISK_BY_RANK

        level = RISK_BY_RANK[value]
        return format_html('<span class="badge heat-{}">{}</span>', level, RiskLevel(level).label)

    def value_risk_rank(self, value):
        from schools.selectors import RISK_BY_RANK

        return str(RiskLevel(RISK_BY_RANK[value]).label)

    def render_last_visit(self, value):
        from django.utils import timezone
        from django.utils.html import format_html

        if self._today is None:  # once per table, not per row
            self._today = timezone.localdate()
        days = (self._today - value).days
        css = "text-danger" if days > 60 else ""
        return format_html(
            '<span class="{}" title="{}">{}</span>', css, _("%(n)s days ago") % {"n": days}, value.strftime("%d.%m.%Y")
        )

    def value_last_visit(self, value):
        return value

    def render_roadmap_progress(self, value):
        from django.utils.html import format_html

        share = round(value * 100)
        return format_html(
            '<div class="d-flex align-items-center gap-1"><div class="progress flex-grow-1" role="progressbar" '
            'aria-label="{}" aria-valuenow="{}" aria-valuemin="0" aria-valuemax="100" style="min-width: 3rem; height: .5rem">'
            '<div class="progress-bar" style="width: {}%"></div></div><span class="small text-nowrap">{} %</span></div>',
            _("Roadmap progress"),
            share,
            share,
            share,
        )

    def value_roadmap_progress(self, value):
        return round(value * 100, 1)


# --- Programme side ------------------------------------------------------------------

from core.years import academic_year_label  # noqa: E402
from schools.models import Order, Programme, SchoolStatus  # noqa: E402


class AcademicYearColumn(tables.Column):
    def render(self, value):
        return academic_year_label(value)

    def value(self, value):
        return academic_year_label(value)


class DateColumn(tables.DateColumn):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", "d.m.Y")
        super().__init__(*args, **kwargs)


class OrderTable(tables.Table):
    number = tables.Column(
        linkify=("schools:order-detail", [tables.A("pk")]), verbose_name=_("Number"), order_by=("sort_number",)
    )
    date = DateColumn(verbose_name=_("Date"))
    kind = tables.Column(verbose_name=_("Kind"))
    title = tables.Column(verbose_name=_("Title"))
    issuer = tables.Column(verbose_name=_("Issuing body"))
    municipality = tables.Column(verbose_name=_("Municipality"), order_by=("municipality__name",))

    class Meta:
        model = Order
        fields = ["number", "date", "kind", "title", "issuer", "municipality"]
        order_by = ("-date",)


class SchoolStatusTable(tables.Table):
    school = SchoolColumn(linkify=True, verbose_name=_("School"))
    kind = tables.Column(verbose_name=_("Status"))
    year_from = AcademicYearColumn(verbose_name=_("From"))
    year_to = AcademicYearColumn(verbose_name=_("To"), default="…")
    order = tables.Column(verbose_name=_("Order"), linkify=("schools:order-detail", [tables.A("order_id")]))
    end_order = tables.Column(verbose_name=_("Ended by"))
    edit = tables.LinkColumn(
        "schools:status-edit",
        args=[tables.A("pk")],
        text=_("Edit"),
        orderable=False,
        verbose_name="",
        exclude_from_export=True,
    )

    class Meta:
        model = SchoolStatus
        fields = ["school", "kind", "year_from", "year_to", "order", "end_order"]
        order_by = ("school", "-year_from")


class ProgrammeTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    kind = tables.Column(verbose_name=_("Kind"))
    year = AcademicYearColumn(verbose_name=_("Academic year"))
    municipality = tables.Column(verbose_name=_("Municipality"), order_by=("municipality__name",))
    participants_count = tables.Column(verbose_name=_("Participants"))
    order = tables.Column(verbose_name=_("Order"))

    class Meta:
        model = Programme
        fields = ["name", "kind", "year", "municipality", "participants_count", "order"]
        order_by = ("-year",)
