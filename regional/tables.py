"""Tables of the regional pages: the municipalities compared (one column per figure, this
year with last year under it, the region's total as the footer), the region-wide list of
ШНОР and candidates, and the results by procedure and subject."""

from __future__ import annotations

import functools

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.templatetags.opora import num, percent
from regional.selectors import Figure
from schools.tables import SchoolColumn


def display(value, kind: str) -> str:
    """A figure as a page shows it: shares as «25,3 %», indices with two decimals."""
    if value is None:
        return "—"
    return _display(value, kind, get_language())


@functools.lru_cache(maxsize=16384, typed=True)
def _display(value, kind: str, language: str) -> str:
    # Localised number formatting is most of a 50 × 35 figure table's time; the text of a
    # value depends only on the value, its kind and the language (the key).
    if kind == "share":
        return percent(value)
    if kind == "index":
        return num(value, 2)
    if kind == "number":
        return num(value, 1)
    return str(value)


def typed(value, kind: str):
    """A figure as the xlsx holds it: a number (shares as percentages with one decimal)."""
    if value is None:
        return None
    if kind == "share":
        return round(value * 100, 1)
    if kind == "index":
        return round(value, 2)
    if kind == "number":
        return round(value, 1)
    return value


class FigureColumn(tables.Column):
    """This year's value, last year's under it; the footer holds the region's total."""

    def __init__(self, figure: Figure, **kwargs):
        self.figure = figure
        attrs = {"td": {"class": "text-end"}, "th": {"class": "text-end"}, "tf": {"class": "text-end fw-bold"}}
        super().__init__(verbose_name=figure.label, accessor=figure.key, attrs=attrs, **kwargs)

    def _cell(self, value, previous) -> str:
        # Last year's value in brackets under this year's (the table's caption says so).
        return format_html(
            '{}<span class="d-block small text-muted">({})</span>',
            display(value, self.figure.kind),
            display(previous, self.figure.kind),
        )

    def render(self, value, record):
        return self._cell(value, record.get(f"{self.figure.key}__prev"))

    def value(self, value, record):
        return typed(value, self.figure.kind)

    def render_footer(self, bound_column, table):
        total = getattr(table, "total", None)
        if not total:
            return ""
        return self._cell(total.get(self.figure.key), total.get(f"{self.figure.key}__prev"))


class MunicipalityColumn(tables.Column):
    def render(self, value, record):
        url = reverse("regional:schools") + f"?municipality={record['municipality_id']}&year={record['year']}"
        return format_html('<a href="{}">{}</a>', url, value)

    def render_footer(self, bound_column, table):
        total = getattr(table, "total", None)
        return total["municipality"] if total else ""


def dashboard_table(rows: list[dict], total: dict | None, figures: list[Figure], order_by: str | None = None):
    """The municipalities compared: one sortable column per figure."""
    municipality = MunicipalityColumn(verbose_name=_("Municipality"), attrs={"td": {"class": "text-nowrap"}})
    extra = [("municipality", municipality), *((f.key, FigureColumn(f)) for f in figures)]
    table = tables.Table(
        rows,
        extra_columns=extra,
        order_by=order_by or "municipality",
        attrs={"class": "table table-sm table-hover align-top"},
        empty_text=_("No municipalities"),
    )
    table.total = total
    return table


class YesNoColumn(tables.BooleanColumn):
    def render(self, value, record, bound_column):
        return _("yes") if value else "—"

    def value(self, value):
        return bool(value)


class IndexColumn(tables.Column):
    """A school index; a candidate's carries the mark (the xlsx has the candidate as its own column)."""

    def __init__(self, candidate_field: str, **kwargs):
        self.candidate_field = candidate_field
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}})
        super().__init__(**kwargs)

    def render(self, value, record):
        if getattr(record, self.candidate_field, False):
            return format_html('{} <span class="badge text-bg-warning">{}</span>', num(value, 2), _("candidate"))
        return num(value, 2)

    def value(self, value):
        return None if value is None else round(value, 2)


class RegionalSchoolTable(tables.Table):
    school = SchoolColumn(
        accessor="short_name",
        order_by=("sort_name",),
        verbose_name=_("School"),
        linkify=lambda record: record.get_absolute_url(),
    )
    municipality = tables.Column(verbose_name=_("Municipality"), order_by=("municipality__name",))
    is_low = YesNoColumn(verbose_name=_("ШНОР"))
    municipal_index = IndexColumn("is_candidate", verbose_name=_("Index in the municipality"))
    is_candidate = YesNoColumn(verbose_name=_("Candidate of the municipality"), visible=False)
    regional_index = IndexColumn("is_regional_candidate", verbose_name=_("Index in the region"))
    is_regional_candidate = YesNoColumn(verbose_name=_("Candidate of the region"), visible=False)
    curated = YesNoColumn(verbose_name=_("Curator"))
    visits_in_year = tables.Column(verbose_name=_("Visits in the year"), attrs={"td": {"class": "text-end"}})

    class Meta:
        fields = []
        sequence = (
            "school",
            "municipality",
            "is_low",
            "municipal_index",
            "is_candidate",
            "regional_index",
            "is_regional_candidate",
            "curated",
            "visits_in_year",
        )
        order_by = ("municipality", "school")
        attrs = {"class": "table table-sm table-hover"}


class ResultsTable(tables.Table):
    """Municipality × procedure × subject with the pooled figures of the year and the year before."""

    municipality = tables.Column(verbose_name=_("Municipality"))
    procedure = tables.Column(verbose_name=_("Procedure"))
    subject = tables.Column(verbose_name=_("Subject"))

    class Meta:
        attrs = {"class": "table table-sm table-hover"}
