from django.db.models import Count, Q, QuerySet

from core.years import current_academic_year
from schools.models import StatusKind


def school_counts(schools: QuerySet) -> dict:
    """Counts for the home page: schools in scope, active, rural, and ШНОР this year."""
    year = current_academic_year()
    current_low = Q(statuses__kind=StatusKind.LOW_RESULTS, statuses__year_from__lte=year) & (
        Q(statuses__year_to__isnull=True) | Q(statuses__year_to__gte=year)
    )
    return schools.aggregate(
        total=Count("id", distinct=True),
        active=Count("id", filter=Q(is_active=True), distinct=True),
        rural=Count("id", filter=Q(is_rural=True), distinct=True),
        low_results=Count("id", filter=current_low, distinct=True),
    )


def status_sets_by_year(municipality, kind: str, years) -> dict[int, set[int]]:
    """School ids holding ``kind`` in each year (one query)."""
    from schools.models import SchoolStatus

    years = list(years)
    result: dict[int, set[int]] = {y: set() for y in years}
    if not years:
        return result
    rows = SchoolStatus.objects.filter(school__municipality=municipality, kind=kind, year_from__lte=max(years)).filter(
        Q(year_to__isnull=True) | Q(year_to__gte=min(years) - 1)
    )
    for school_id, y_from, y_to in rows.values_list("school_id", "year_from", "year_to"):
        for y in years:
            if y_from <= y and (y_to is None or y_to >= y):
                result[y].add(school_id)
    return result


def status_movement(municipality, kind: str, years) -> list[dict]:
    """Per year: how many schools held the status, entered, stayed and left."""
    years = sorted(years)
    if not years:
        return []
    sets = status_sets_by_year(municipality, kind, [years[0] - 1, *years])
    rows = []
    for y in years:
        now, before = sets[y], sets[y - 1]
        rows.append(
            {
                "year": y,
                "total": len(now),
                "entered": len(now - before),
                "stayed": len(now & before),
                "left": len(before - now),
                "entered_ids": now - before,
                "left_ids": before - now,
            }
        )
    return rows


def status_years(municipality, kind: str) -> list[int]:
    """Academic years from the first status of ``kind`` in the municipality to now."""
    from schools.models import SchoolStatus

    first = (
        SchoolStatus.objects.filter(school__municipality=municipality, kind=kind)
        .order_by("year_from")
        .values_list("year_from", flat=True)
        .first()
    )
    now = current_academic_year()
    return list(range(first, now + 1)) if first else []


def risk_heatmap(schools: QuerySet, year: int) -> dict:
    """Schools × active factors of a year: levels, and the count of schools per factor and level."""
    from schools.models import RiskAssessment, RiskFactor, RiskLevel

    factors = list(RiskFactor.objects.filter(is_active=True))
    assessments = RiskAssessment.objects.filter(school__in=schools, year=year, factor__in=factors)
    cells: dict[int, dict[int, RiskAssessment]] = {}
    for a in assessments.only("school_id", "factor_id", "level", "confirmed_at"):
        cells.setdefault(a.school_id, {})[a.factor_id] = a
    school_list = list(schools.filter(id__in=cells.keys()).order_by("sort_name"))
    rows = [{"school": s, "cells": [cells[s.pk].get(f.pk) for f in factors]} for s in school_list]
    counts = {f.pk: dict.fromkeys(RiskLevel.values, 0) for f in factors}
    for row in assessments.values("factor_id", "level").annotate(n=Count("school_id")):
        counts[row["factor_id"]][row["level"]] = row["n"]
    count_rows = [{"factor": f, "counts": [counts[f.pk][lvl] for lvl in RiskLevel.values]} for f in factors]
    return {"factors": factors, "rows": rows, "counts": count_rows, "levels": RiskLevel.choices}


LEVEL_WEIGHT = {"high": 3, "medium": 2, "low": 1, "none": 0}


def _history_value(field, value) -> str:
    from django.utils.translation import gettext

    if value in (None, ""):
        return "—"
    if field.is_relation:
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else str(value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


def history_entries(history_qs, limit: int = 20) -> list:
    """The latest history records with a readable «field: old → new» text each."""
    records = list(history_qs.select_related("history_user").order_by("-history_date")[: limit + 1])
    for i, rec in enumerate(records[:limit]):
        rec.change_text = ""
        if rec.history_type != "~":
            continue
        prev = records[i + 1] if i + 1 < len(records) and records[i + 1].id == rec.id else rec.prev_record
        if prev is not None:
            delta = rec.diff_against(prev)
            parts = []
            for change in delta.changes:
                field = rec.instance._meta.get_field(change.field)
                parts.append(
                    f"{field.verbose_name}: {_history_value(field, change.old)} → {_history_value(field, change.new)}"
                )
            rec.change_text = "; ".join(parts)
    return records[:limit]


def status_held_in(year: int) -> Q:
    """A status (SchoolStatus row) that holds in academic year ``year``."""
    return Q(year_from__lte=year) & (Q(year_to__isnull=True) | Q(year_to__gte=year))


def statuses_held(school, year: int) -> QuerySet:
    """The statuses ``school`` holds in academic year ``year``, with their orders."""
    from schools.models import SchoolStatus

    return SchoolStatus.objects.filter(status_held_in(year), school=school).select_related("order").order_by("kind")


def schools_with_status(schools: QuerySet, kind: str, year: int) -> QuerySet:
    """The schools of ``schools`` holding a status of ``kind`` in academic year ``year``."""
    from schools.models import SchoolStatus

    holding = SchoolStatus.objects.filter(status_held_in(year), kind=kind)
    return schools.filter(id__in=holding.values("school_id"))
