"""Reads of the assessment app, always through the user's scope."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Q

from accounts.scoping import VIEW
from assessment.models import (
    AnalysisRun,
    Flag,
    FlagKind,
    GroupResult,
    ProgrammeEffect,
    Result,
    RiskZoneCount,
    SchoolIndex,
    Spread,
)
from core.years import academic_year_label

PERCENT = ExpressionWrapper(100.0 * F("score") / F("max_score"), output_field=FloatField())


def group_results(user):
    return (
        GroupResult.objects.restrict(user, VIEW)
        .select_related("school", "procedure", "subject")
        .order_by("year", "school__code", "procedure__code", "subject__name", "grade")
    )


def flags(user):
    return (
        Flag.objects.restrict(user, VIEW)
        .select_related("school", "procedure", "subject")
        .order_by("-year", "school__code", "kind", "procedure__code", "subject__name", "grade", "teacher_code")
    )


def school_indices(user):
    return (
        SchoolIndex.objects.restrict(user, VIEW)
        .select_related("school", "municipality")
        .order_by("year", "municipality__name", "value")
    )


def spreads(user):
    return Spread.objects.restrict(user, VIEW).select_related("municipality").order_by("municipality__name", "year")


def programme_effects(user):
    return (
        ProgrammeEffect.objects.restrict(user, VIEW)
        .select_related("municipality")
        .order_by("municipality__name", "year")
    )


def last_run() -> AnalysisRun | None:
    return AnalysisRun.objects.filter(status=AnalysisRun.Status.DONE).order_by("-started").first()


def school_overview(school, years_back: int = 3) -> dict:
    """Everything the school's results page shows, in a fixed number of queries."""
    from core import charts

    all_years = sorted(
        set(GroupResult.objects.filter(school=school).values_list("year", flat=True).distinct()), reverse=True
    )[:years_back]
    years = sorted(all_years)
    if not years:
        return {"years": []}
    # Aggregates over grades come from the rows, never from averaging group figures.
    per_subject = (
        Result.objects.filter(school=school, year__in=years)
        .values("procedure__code", "subject__name", "year")
        .annotate(
            participants=Count("id"),
            mean_percent=Avg(PERCENT),
            with_mark=Count("mark"),
            fails=Count("id", filter=Q(mark=2)),
            quality=Count("id", filter=Q(mark__gte=4)),
        )
        .order_by("procedure__code", "subject__name", "year")
    )
    table: dict[tuple[str, str], dict[int, dict]] = defaultdict(dict)
    for row in per_subject:
        w = row["with_mark"]
        row["share_fail"] = row["fails"] / w if w else None
        row["quality_rate"] = row["quality"] / w if w else None
        table[(row["procedure__code"], row["subject__name"])][row["year"]] = row
    labels = [academic_year_label(y) for y in years]
    by_procedure: dict[str, dict[str, list]] = defaultdict(dict)
    for (procedure, subject), cells in table.items():
        by_procedure[procedure][subject] = [cells.get(y, {}).get("mean_percent") for y in years]
    chart_list = [
        {
            "procedure": procedure,
            "svg": charts.line_chart(labels, series, title=procedure, max_value=100, unit=" %"),
        }
        for procedure, series in sorted(by_procedure.items())
    ]
    rows = [
        {"procedure": p, "subject": s, "cells": [cells.get(y) for y in years]}
        for (p, s), cells in sorted(table.items())
    ]
    groups = list(
        GroupResult.objects.filter(school=school, year=years[-1])
        .select_related("procedure", "subject")
        .order_by("procedure__code", "subject__name", "grade")
    )
    school_flags = list(
        Flag.objects.filter(school=school, year__in=years)
        .exclude(kind=FlagKind.TEACHER_DYNAMICS)
        .select_related("procedure", "subject")
        .order_by("-year", "kind", "procedure__code", "subject__name", "grade")
    )
    teacher_flags = list(
        Flag.objects.filter(school=school, year__in=years, kind=FlagKind.TEACHER_DYNAMICS)
        .select_related("procedure", "subject")
        .order_by("-year", "teacher_code", "procedure__code", "subject__name", "grade")
    )
    risk = defaultdict(dict)
    for r in RiskZoneCount.objects.filter(school=school, year__in=years).select_related("subject"):
        risk[r.subject.name][r.year] = r.students
    risk_rows = [{"subject": s, "counts": [cells.get(y, 0) for y in years]} for s, cells in sorted(risk.items())]
    indices = {i.year: i for i in SchoolIndex.objects.filter(school=school, year__in=years)}
    return {
        "years": years,
        "year_labels": labels,
        "rows": rows,
        "charts": chart_list,
        "groups": groups,
        "flags": school_flags,
        "teacher_flags": teacher_flags,
        "risk_rows": risk_rows,
        "indices": [indices.get(y) for y in years],
    }


def flag_counts(flags_qs, year: int | None) -> dict:
    """Flags of ``year`` in the given (already scoped) queryset, by kind, with their labels."""
    if year is None:
        return {}
    labels = dict(FlagKind.choices)
    rows = flags_qs.filter(year=year).values("kind").annotate(n=Count("id")).order_by("kind")
    return {labels[row["kind"]]: row["n"] for row in rows}
