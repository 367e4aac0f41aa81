"""Roadmap indicators that fill themselves from the results analysis (issue 6, item 7).

A roadmaps ``Indicator`` may name an assessment figure: ``source_procedure`` (a procedure's
code, name or alias: «ВПР»), ``source_subject`` (a subject's name or alias; blank = every
subject of the procedure), ``source_grade`` (blank = every grade) and ``source_metric``
(``mean_percent``, ``mean_score``, ``participants``, ``share_fail``, ``success_rate``,
``quality_rate``, ``lowered``, ``confirmed``, ``raised`` or a Russian alias from ``METRICS``).
Names are matched ignoring case, spaces and «ё»/«е», as in the results files.

After each analysis run the school's figure for the roadmap's academic year is read from the
stored group results (which always hold the latest run) and handed to
``roadmaps.services.indicator_set_actual_from_analysis``.  Where the link covers several
groups (no grade, no subject) the figure is rebuilt from the groups' sums (participants ×
mean, with_mark × share…), which equals computing it from the rows, never a plain average.

Units.  ``Indicator.unit`` is free text (the roadmap forms and xlsx templates write «%»).
When it contains «%» or starts with «процент», shares (0..1) are stored as percentages; any
other unit keeps the share as a fraction.  Percentages (and ``mean_percent``, which is in
percentage points anyway) are rounded to one decimal as RESULTS.md asks for pages and
reports; other values to the indicator's two decimals.

Period.  The value belongs to the roadmap's reporting period containing the last day of the
academic year (31 August), or the roadmap's end date if it ends earlier.  An approved
report's period is left alone; an unchanged value is not written again (idempotent)."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, F, FloatField, IntegerField, JSONField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, JSONObject, Lower, Replace

from assessment.models import GroupResult, Procedure, Subject, normalise_name
from roadmaps.models import Indicator, IndicatorActual, ProgressReport, ReportStatus
from roadmaps.selectors import roadmap_periods
from roadmaps.services import indicator_set_actual_from_analysis

SHARE_METRICS = ("share_fail", "success_rate", "quality_rate", "lowered", "confirmed", "raised")

# canonical metric → accepted spellings (normalised like file headers; «» and quotes ignored)
METRICS: dict[str, tuple[str, ...]] = {
    "mean_percent": ("средний процент", "средний процент выполнения", "процент выполнения", "средний %"),
    "mean_score": ("средний балл", "средний первичный балл"),
    "participants": ("участники", "число участников", "количество участников"),
    "share_fail": ("доля 2", "доля двоек", "доля неудовлетворительных отметок", "неуспеваемость"),
    "success_rate": ("успеваемость", "доля успевающих"),
    "quality_rate": ("качество", "качество знаний", "доля 4 и 5"),
    "lowered": ("понизили", "доля понизивших"),
    "confirmed": ("подтвердили", "доля подтвердивших"),
    "raised": ("повысили", "доля повысивших"),
}

# sums of a group that rebuild every figure of RESULTS.md over several groups
SUMS = {
    "participants": F("participants"),
    "sum_score": F("mean_score") * F("participants"),
    "sum_percent": F("mean_percent") * F("participants"),
    "with_mark": F("with_mark"),
    "n_fail": Coalesce(F("share_fail"), 0.0) * F("with_mark"),
    "n_success": Coalesce(F("success_rate"), 0.0) * F("with_mark"),
    "n_quality": Coalesce(F("quality_rate"), 0.0) * F("with_mark"),
    "with_both": F("with_both"),
    "n_lowered": Coalesce(F("lowered"), 0.0) * F("with_both"),
    "n_confirmed": Coalesce(F("confirmed"), 0.0) * F("with_both"),
    "n_raised": Coalesce(F("raised"), 0.0) * F("with_both"),
}


def _key(value: str) -> str:
    return normalise_name(re.sub(r"[«»\"'“”]", "", value or ""))


def metric_name(value: str) -> str | None:
    """The canonical metric for an indicator's ``source_metric`` (None if unknown)."""
    key = _key(value)
    for name, aliases in METRICS.items():
        if key in {_key(name), *(_key(a) for a in aliases)}:
            return name
    return None


def is_percent_unit(unit: str) -> bool:
    return "%" in (unit or "") or _key(unit).startswith("процент")


def figure(sums: dict | None, metric: str) -> float | None:
    """The metric computed from the groups' sums (None where the groups give no value)."""
    if not sums or not sums.get("participants"):
        return None
    n, with_mark, with_both = sums["participants"], sums.get("with_mark") or 0, sums.get("with_both") or 0
    if metric == "participants":
        return float(n)
    if metric == "mean_percent":
        return sums["sum_percent"] / n
    if metric == "mean_score":
        return sums["sum_score"] / n
    base = {"share_fail": with_mark, "success_rate": with_mark, "quality_rate": with_mark}.get(metric, with_both)
    if not base:
        return None
    count = {
        "share_fail": "n_fail",
        "success_rate": "n_success",
        "quality_rate": "n_quality",
        "lowered": "n_lowered",
        "confirmed": "n_confirmed",
        "raised": "n_raised",
    }[metric]
    return sums[count] / base


def indicator_value(sums: dict | None, metric: str, unit: str) -> Decimal | None:
    """The value to store for the indicator: shares as percentages when the unit is «%»."""
    value = figure(sums, metric)
    if value is None:
        return None
    if metric in SHARE_METRICS and is_percent_unit(unit):
        value *= 100
    places = "0.1" if metric == "mean_percent" or (metric in SHARE_METRICS and is_percent_unit(unit)) else "0.01"
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _catalogue(model) -> list[tuple[str, int]]:
    return [(_key(name), obj.pk) for obj in model.objects.all() for name in obj.names()]


def linked_indicators(years: list[int]):
    """Linked indicators of the school roadmaps of ``years`` with their roadmap and, in one
    query, the sums of the matching group results (``sums``, a dict, or None)."""

    def norm(field: str):
        expr = Lower(field)
        for char in (" ", "«", "»", '"', "'"):
            expr = Replace(expr, Value(char), Value(""))
        return Replace(expr, Value("ё"), Value("е"))

    def resolve(field: str, model):
        whens = [When(**{field: name}, then=Value(pk)) for name, pk in _catalogue(model)]
        return Case(*whens, default=Value(None), output_field=IntegerField())

    roadmap = "activity__task__goal__roadmap"
    # A blank subject or grade (NULL reference) matches every subject or grade of the school.
    sums = (
        GroupResult.objects.filter(
            school_id=OuterRef(f"{roadmap}__school_id"),
            year=OuterRef(f"{roadmap}__year"),
            procedure_id=OuterRef("procedure_ref"),
            subject_id=Coalesce(OuterRef("subject_ref"), F("subject_id")),
            grade=Coalesce(OuterRef("source_grade"), F("grade")),
        )
        .values("school_id")
        .annotate(sums=JSONObject(**{name: Sum(expr, output_field=FloatField()) for name, expr in SUMS.items()}))
        .values("sums")
    )
    return (
        Indicator.objects.filter(**{f"{roadmap}__school__isnull": False, f"{roadmap}__year__in": years})
        .exclude(source_procedure="")
        .exclude(source_metric="")
        .select_related(roadmap)
        .annotate(procedure_key=norm("source_procedure"), subject_key=norm("source_subject"))
        .annotate(procedure_ref=resolve("procedure_key", Procedure), subject_ref=resolve("subject_key", Subject))
        .annotate(sums=Subquery(sums[:1], output_field=JSONField()))
        .order_by("pk")
    )


def _period(roadmap, periods) -> datetime.date | None:
    day = min(datetime.date(roadmap.year + 1, 8, 31), roadmap.end_date)
    return next((p for p in periods if p.start <= day <= p.end), None)


def indicators_fill_from_analysis(years: list[int]) -> int:
    """Hand every linked indicator of ``years`` its figure; returns how many values were written."""
    years = sorted({int(y) for y in years})
    if not years:
        return 0
    todo = []
    for indicator in linked_indicators(years):
        metric = metric_name(indicator.source_metric)
        if metric is None or indicator.procedure_ref is None:
            continue
        if indicator.source_subject.strip() and indicator.subject_ref is None:
            continue
        value = indicator_value(indicator.sums, metric, indicator.unit)
        roadmap = indicator.activity.task.goal.roadmap
        period = _period(roadmap, roadmap_periods(roadmap)) if value is not None else None
        if period is not None:
            todo.append((indicator, value, period))
    if not todo:
        return 0
    roadmap_ids = {i.activity.task.goal.roadmap_id for i, _v, _p in todo}
    approved = set(
        ProgressReport.objects.filter(roadmap_id__in=roadmap_ids, status=ReportStatus.APPROVED).values_list(
            "roadmap_id", "period_start"
        )
    )
    stored = {
        (a.indicator_id, a.period_start): (a.value, a.source)
        for a in IndicatorActual.objects.filter(indicator__in=[i for i, _v, _p in todo])
    }
    written = 0
    for indicator, value, period in todo:
        if (indicator.activity.task.goal.roadmap_id, period.start) in approved:
            continue
        if stored.get((indicator.pk, period.start)) == (value, "analysis"):
            continue
        if indicator_set_actual_from_analysis(indicator=indicator, value=value, period=period.end) is not None:
            written += 1
    return written
