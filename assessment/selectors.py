"""Reads of the assessment app, always through the user's scope."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Max, Q, QuerySet

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
    """The school flags the user may see (teachers' dynamics are ``teacher_flags``)."""
    return (
        school_flags(Flag.objects.restrict(user, VIEW))
        .select_related("school", "procedure", "subject")
        .order_by("-year", "school__code", "kind", "procedure__code", "subject__name", "grade")
    )


def teacher_flags(user):
    """Teachers' negative dynamics the user may see: a list of its own (RESULTS.md)."""
    return (
        teacher_dynamics(Flag.objects.restrict(user, VIEW))
        .select_related("school", "procedure", "subject")
        .order_by("-year", "school__sort_name", "teacher_code", "procedure__code", "subject__name")
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


def last_runs() -> QuerySet:
    """The finished analysis runs, the latest first."""
    return AnalysisRun.objects.filter(status=AnalysisRun.Status.DONE).order_by("-started")


def last_run() -> AnalysisRun | None:
    """The last finished analysis run (its query compiled once per process: core/compiled.py;
    the results page keeps the same statement under the same key)."""
    from core.compiled import prepared

    return next(iter(prepared(("assessment.last_run",), lambda: last_runs()[:1])), None)


def school_overview(school, years_back: int = 3) -> dict:
    """Everything the school's results page shows, in a fixed number of queries — each
    prepared once for every school (core/compiled.py): the school's id and its years (one
    argument each; the key says how many) are the arguments."""
    from core import charts
    from core.compiled import prepared

    sid = school.pk
    all_years = sorted(
        set(
            prepared(
                ("school_overview.years",),
                lambda sid: GroupResult.objects.filter(school=sid).values_list("year", flat=True).distinct(),
                sid,
            )
        ),
        reverse=True,
    )[:years_back]
    years = sorted(all_years)
    if not years:
        return {"years": []}

    def of_years(name: str, build):
        """``build(sid, years)`` prepared for this many years."""
        return prepared(("school_overview", name, len(years)), lambda sid, *ys: build(sid, list(ys)), sid, *years)

    # Aggregates over grades come from the rows, never from averaging group figures.
    per_subject = of_years(
        "per_subject",
        lambda sid, years: (
            Result.objects.filter(school=sid, year__in=years)
            .values("procedure__code", "subject__name", "year")
            .annotate(
                participants=Count("id"),
                mean_percent=Avg(PERCENT),
                with_mark=Count("mark"),
                fails=Count("id", filter=Q(mark=2)),
                quality=Count("id", filter=Q(mark__gte=4)),
            )
            .order_by("procedure__code", "subject__name", "year")
        ),
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
        prepared(
            ("school_overview.groups",),
            lambda sid, year: (
                GroupResult.objects.filter(school=sid, year=year)
                .select_related("procedure", "subject")
                .order_by("procedure__code", "subject__name", "grade")
            ),
            sid,
            years[-1],
        )
    )

    def of_school(sid, years):
        return Flag.objects.filter(school=sid, year__in=years).select_related("procedure", "subject")

    group_flags = list(
        of_years(
            "flags",
            lambda sid, years: school_flags(of_school(sid, years)).order_by(
                "-year", "kind", "procedure__code", "subject__name", "grade"
            ),
        )
    )
    teachers = list(
        of_years(
            "teachers",
            lambda sid, years: teacher_dynamics(of_school(sid, years)).order_by(
                "-year", "teacher_code", "procedure__code", "subject__name"
            ),
        )
    )
    risk = defaultdict(dict)
    risks = of_years(
        "risk", lambda sid, years: RiskZoneCount.objects.filter(school=sid, year__in=years).select_related("subject")
    )
    for r in risks:
        risk[r.subject.name][r.year] = r.students
    risk_rows = [{"subject": s, "counts": [cells.get(y, 0) for y in years]} for s, cells in sorted(risk.items())]
    indices = {
        i.year: i
        for i in of_years("indices", lambda sid, years: SchoolIndex.objects.filter(school=sid, year__in=years))
    }
    return {
        "years": years,
        "year_labels": labels,
        "rows": rows,
        "charts": chart_list,
        "groups": groups,
        "flags": group_flags,
        "teacher_flags": teachers,
        "risk_rows": risk_rows,
        "indices": [indices.get(y) for y in years],
    }


# --- Figures: one selector per figure (tests/test_figures.py) ---------------------------
# A school's flags are its group flags (low results, negative dynamics, non-objectivity);
# teachers' negative dynamics are a list of their own (RESULTS.md) and never part of a
# school's flag totals.

SCHOOL_FLAG_KINDS = (FlagKind.LOW_RESULTS, FlagKind.NEGATIVE_DYNAMICS, FlagKind.NON_OBJECTIVE)


def school_flags(flags_qs=None):
    """The school flags among ``flags_qs`` (default: all flags): teachers' dynamics left out."""
    qs = Flag.objects.all() if flags_qs is None else flags_qs
    return qs.filter(kind__in=SCHOOL_FLAG_KINDS)


def teacher_dynamics(flags_qs=None):
    """Teachers' negative dynamics among ``flags_qs`` (default: all flags)."""
    qs = Flag.objects.all() if flags_qs is None else flags_qs
    return qs.filter(kind=FlagKind.TEACHER_DYNAMICS)


def results_year(schools) -> int | None:
    """The latest academic year with results of any of ``schools``: the year results pages,
    cards, panels and the schools table open on."""
    return results_of(schools).aggregate(y=Max("year"))["y"]


def results_of(schools) -> QuerySet:
    """The group results of ``schools`` (what ``results_year`` reads)."""
    return GroupResult.objects.filter(school__in=schools.values("id"))


def school_results_year(school) -> int | None:
    """The latest academic year with results of ``school`` (compiled once for every school)."""
    from core.compiled import prepared_aggregate

    def build(sid):
        return GroupResult.objects.filter(school_id=sid)

    return prepared_aggregate(("assessment.school_results_year",), build, school.pk, y=Max("year"))["y"]


def flag_count_subquery(year: int, school_ref: str = "pk"):
    """Per school: how many school flags it has in ``year`` (0 without)."""
    from django.db.models import Func, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    counted = school_flags().filter(school=OuterRef(school_ref), year=year).order_by().values("school")
    counted = counted.annotate(n=Func("pk", function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def school_flag_count(school, year: int | None) -> int:
    """The number of the school's flags in ``year`` (as ``flag_count_subquery``)."""
    return 0 if year is None else school_flags().filter(school=school, year=year).count()


def flag_totals(flags_qs, year: int | None) -> dict:
    """School flags of ``year`` in the given (already scoped) queryset by kind, with their
    labels, and the total; teachers' dynamics counted apart (``teacher_dynamics``)."""
    if year is None:
        return {"by_kind": {}, "total": 0, "teachers": 0}
    labels = dict(FlagKind.choices)
    of_year = flags_qs.filter(year=year)
    rows = school_flags(of_year).values("kind").annotate(n=Count("id")).order_by("kind")
    by_kind = {labels[row["kind"]]: row["n"] for row in rows}
    return {"by_kind": by_kind, "total": sum(by_kind.values()), "teachers": teacher_dynamics(of_year).count()}


def index_subquery(year: int, school_ref: str = "pk"):
    """Per school: its index value of ``year`` (NULL without one)."""
    from django.db.models import FloatField, OuterRef, Subquery

    return Subquery(
        SchoolIndex.objects.filter(school=OuterRef(school_ref), year=year).values("value")[:1],
        output_field=FloatField(),
    )
