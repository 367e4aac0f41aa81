"""The regional report (PDF and .docx): issued by the regional education authority and signed
by its head — per-municipality tables of every figure of the comparison (this year beside
last year, the region's total), the spread of the school indices over the years, and what
works (programme effectiveness), then the region's ШНОР and candidates.

Every number comes from regional.selectors (the comparison page's figures), the stored
spreads and effectiveness; the requisites of the issuing body from ``regional_requisites``."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.charts import line_chart
from core.years import academic_year_label
from regional import selectors
from regional.tables import display

YEARS_BACK = 4  # the spread and the effectiveness over the report year and the three before it
MAX_LINES = 8  # municipalities drawn on one chart (the table holds them all)


def regional_requisites(region, day: datetime.date):
    """The regional education authority's requisites on ``day``: ``reports.requisites`` — the
    one machinery every document reads (its body, header lines, place of issue and the head in
    office that day; ``missing`` says what is not filled in)."""
    from reports.requisites import regional_requisites as requisites

    return requisites(region, day)


TABLES = [
    ("programme", _("ШНОР, candidates and the programme")),
    ("results", _("Results of the assessment procedures")),
    ("support", _("Curators, visits and roadmaps")),
    ("events", _("Methodical events")),
]


def _table(group: str, rows: list[selectors.SummaryRow], year: int) -> dict:
    figures = [f for f in selectors.FIGURES if f.group == group]
    body = []
    for row in rows:
        this, prev = row.values.get(year, {}), row.values.get(year - 1, {})
        body.append(
            {
                "name": row.municipality.name if row.municipality else _("Region, total"),
                "total": row.is_total,
                "cells": [(display(this.get(f.key), f.kind), display(prev.get(f.key), f.kind)) for f in figures],
            }
        )
    return {"headers": [str(f.label) for f in figures], "rows": body}


def _series(items, value, years: list[int], names: dict[int, str]) -> dict[str, list]:
    by: dict[str, dict[int, float]] = {}
    for item in items:
        v = value(item)
        if v is not None:
            by.setdefault(names[item.municipality_id], {})[item.year] = v
    return {name: [values.get(y) for y in years] for name, values in sorted(by.items())}


def regional_report_context(region, year: int) -> dict:
    """What the report shows, in a fixed number of queries."""
    from assessment.models import ProgrammeEffect, Spread
    from regional.models import RegionalSchoolIndex, RegionalSpread

    municipalities = list(region.municipalities.order_by("name"))
    names = {m.pk: m.name for m in municipalities}
    rows = selectors.municipality_summary(municipalities, year, region=region)
    total = rows[-1] if rows and rows[-1].is_total else None
    years = list(range(year - YEARS_BACK + 1, year + 1))
    spreads = list(Spread.objects.filter(municipality__region=region, year__in=years))
    regional_spreads = {s.year: s for s in RegionalSpread.objects.filter(region=region, year__in=years)}
    effects = list(ProgrammeEffect.objects.filter(municipality__region=region, year__in=years))
    # The years the analysis has figures for (a year before the first results is no column).
    analysed = {s.year for s in spreads} | {e.year for e in effects} | set(regional_spreads)
    years = [y for y in years if y >= min(analysed, default=year)]
    labels = [academic_year_label(y) for y in years]
    spread_series = _series(spreads, lambda s: s.spread, years, names)
    effect_series = _series(effects, lambda e: None if e.share_left is None else 100 * e.share_left, years, names)
    rose_series = _series(effects, lambda e: None if e.share_rose is None else 100 * e.share_rose, years, names)
    spread_chart_series = dict(list(spread_series.items())[:MAX_LINES])
    spread_chart_series[_("Region (regional index)")] = [
        regional_spreads[y].spread if y in regional_spreads else None for y in years
    ]
    best = ""
    evaluated = [r for r in rows if not r.is_total and r.values[year].get("effect_share_left") is not None]
    if evaluated:
        top = max(
            evaluated, key=lambda r: (r.values[year]["effect_share_left"], r.values[year]["effect_share_rose"] or 0)
        )
        best = _(
            "In %(year)s the largest share of schools that left the status is in %(municipality)s: %(left)s "
            "(the index rose in %(rose)s)."
        ) % {
            "year": academic_year_label(year),
            "municipality": top.municipality.name,
            "left": display(top.values[year]["effect_share_left"], "share"),
            "rose": display(top.values[year]["effect_share_rose"], "share"),
        }
    from schools.models import School, StatusKind
    from schools.selectors import schools_with_status

    low_ids = set(
        schools_with_status(
            School.objects.filter(municipality__region=region), StatusKind.LOW_RESULTS, year
        ).values_list("id", flat=True)
    )
    regional_index = {i.school_id: i for i in RegionalSchoolIndex.objects.filter(region=region, year=year)}
    from assessment.models import SchoolIndex

    municipal_index = {i.school_id: i for i in SchoolIndex.objects.filter(municipality__region=region, year=year)}
    listed_ids = (
        low_ids
        | {k for k, i in regional_index.items() if i.candidate}
        | {k for k, i in municipal_index.items() if i.candidate}
    )
    listed = [
        {
            "school": s,
            "low": s.pk in low_ids,
            "municipal": municipal_index.get(s.pk),
            "regional": regional_index.get(s.pk),
        }
        for s in School.objects.filter(pk__in=listed_ids)
        .select_related("municipality")
        .order_by("municipality__name", "sort_name")
    ]
    return {
        "region": region,
        "year": year,
        "year_label": academic_year_label(year),
        "previous_label": academic_year_label(year - 1),
        "municipalities": municipalities,
        "total": total.values[year] if total else None,
        "tables": [{"title": title, **_table(group, rows, year)} for group, title in TABLES],
        "years": years,
        "year_labels": labels,
        "spread_rows": [{"name": n, "values": v} for n, v in spread_series.items()],
        "regional_spreads": [regional_spreads.get(y) for y in years],
        "spread_chart": line_chart(labels, spread_chart_series, title=_("Spread of the school indices by year"))
        if spread_series
        else "",
        "effect_rows": [
            {"name": n, "left": effect_series.get(n), "rose": rose_series.get(n)}
            for n in sorted(set(effect_series) | set(rose_series))
        ],
        "effect_chart": line_chart(
            labels,
            dict(list(effect_series.items())[:MAX_LINES]),
            title=_("Share of ШНОР that left the status, %"),
            max_value=100,
            unit=" %",
        )
        if effect_series
        else "",
        "best": best,
        "listed": listed,
    }


def regional_report_title(region, year: int) -> str:
    return _("Analytical report on the support of schools with low educational results in %(region)s, %(year)s") % {
        "region": region.name,
        "year": academic_year_label(year),
    }


def regional_report_pdf(region, year: int) -> tuple[bytes, int]:
    from reports.pdf import render_html, render_pdf_html

    today = timezone.localdate()
    requisites = regional_requisites(region, today)
    html = render_html(
        "regional/pdf/report.html",
        {**regional_report_context(region, year), "requisites": requisites},
        municipality=requisites,
        title=regional_report_title(region, year),
        doc_date=today,
    )
    return render_pdf_html(html)
