from collections.abc import Callable

from django.db.models import Count, Q, QuerySet

from core.compiled import among, prepared
from core.years import current_academic_year
from schools.models import StatusKind


def school_counts(schools: QuerySet | Callable[[], QuerySet], *, key: tuple | None = None) -> dict:
    """Counts for the home page: schools in scope, active, rural, and ШНОР this year (the
    last one is ``low_results_count``: the same figure as the lists, documents and API).
    ``key``: what ``schools`` depends on (the reader's scope), to keep the queries compiled
    (core/compiled.py ``prepared``).  ``schools`` may be a function that builds the queryset:
    with a ``key`` it is then built only when a query is prepared (or checked)."""
    from core.compiled import prepared_aggregate

    def scope() -> QuerySet:
        return schools() if callable(schools) else schools

    year = current_academic_year()
    figures = {
        "total": Count("id", distinct=True),
        "active": Count("id", filter=Q(is_active=True), distinct=True),
        "rural": Count("id", filter=Q(is_rural=True), distinct=True),
    }
    if key is None:
        built = scope()
        counts = built.aggregate(**figures)
        counts["low_results"] = low_results_count(built, year)
        return counts
    counts = prepared_aggregate(("schools.counts", *key), scope, **figures)
    counts["low_results"] = low_results_count_kept(key, lambda: low_results_schools(scope(), year), year)
    return counts


def low_results_count_kept(key: tuple, build, year: int) -> int:
    """``low_results_count`` of the schools ``key`` stands for (the reader's scope): compiled
    once per key and year, and read once per page of panels (core.dashboard.page_figure:
    the home's schools and events panels both show it).  ``build()``: the ШНОР queryset."""
    from core.compiled import prepared_count
    from core.dashboard import page_figure

    full_key = ("schools.low_results", *key, year)
    return page_figure(full_key, lambda: prepared_count(full_key, build))


def _schools_of(scope) -> QuerySet:
    """A municipality or a queryset of schools, as a queryset of schools."""
    from schools.models import Municipality, School

    if isinstance(scope, Municipality):
        return School.objects.filter(municipality=scope)
    return scope


def status_sets_by_year(scope, kind: str, years) -> dict[int, set[int]]:
    """School ids holding ``kind`` in each year (one query); ``scope`` is a municipality or
    a queryset of schools."""
    from schools.models import SchoolStatus

    years = list(years)
    result: dict[int, set[int]] = {y: set() for y in years}
    if not years:
        return result

    def rows_of(scope):
        return (
            SchoolStatus.objects.filter(
                school__in=_schools_of(scope).values("id"), kind=kind, year_from__lte=max(years)
            )
            .filter(Q(year_to__isnull=True) | Q(year_to__gte=min(years) - 1))
            .values_list("school_id", "year_from", "year_to")
        )

    from schools.models import Municipality

    if isinstance(scope, Municipality):
        # compiled once per kind and years, the municipality's id swapped in (core/compiled.py)
        from core.compiled import prepared

        rows = prepared(
            ("schools.status_sets", kind, tuple(years)), lambda mid: rows_of(Municipality(pk=mid)), scope.pk
        )
    else:
        rows = rows_of(scope)
    for school_id, y_from, y_to in rows:
        for y in years:
            if y_from <= y and (y_to is None or y_to >= y):
                result[y].add(school_id)
    return result


def status_movement(scope, kind: str, years) -> list[dict]:
    """Per year: how many schools held the status, entered, stayed and left (``scope``: a
    municipality or a queryset of schools)."""
    years = sorted(years)
    if not years:
        return []
    sets = status_sets_by_year(scope, kind, [years[0] - 1, *years])
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


def status_years(municipality, kind: str, until: int | None = None) -> list[int]:
    """Academic years from the first status of ``kind`` in the municipality to now — or to
    the last year a list was already set for (a list for next year is set in spring), or to
    ``until`` (the year of the list just saved)."""
    from django.db.models import Max, Min

    from schools.models import SchoolStatus

    span = SchoolStatus.objects.filter(school__municipality=municipality, kind=kind).aggregate(
        first=Min("year_from"), last=Max("year_from"), last_end=Max("year_to")
    )
    if span["first"] is None:
        return []
    now = current_academic_year()
    # A list that ends a status in a later year (year_to = year - 1) names that year too.
    last_end = span["last_end"] + 1 if span["last_end"] is not None else now
    last = max(now, span["last"], min(last_end, now + 1), until or now)
    return list(range(span["first"], last + 1))


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


# --- Figures: one selector per figure -------------------------------------------------
# Every page, school card, home panel, document, export and API answer that shows one of
# these numbers calls the selector below (tests/test_figures.py asserts that they agree).


def low_results_schools(schools: QuerySet, year: int) -> QuerySet:
    """ШНОР: the schools of ``schools`` holding the low-results status in academic ``year``."""
    return schools_with_status(schools, StatusKind.LOW_RESULTS, year)


def low_results_count(schools: QuerySet, year: int) -> int:
    """The number of ШНОР among ``schools`` in ``year``."""
    return low_results_schools(schools, year).count()


def low_results_movement(scope, year: int) -> dict:
    """ШНОР of ``year`` against the year before, for a municipality or a queryset of schools:
    ``total`` (= ``low_results_count``), ``before_total``, ``entered``, ``stayed``, ``left``
    and the ids of the schools that entered and left."""
    before, now = status_movement(scope, StatusKind.LOW_RESULTS, [year - 1, year])
    return {**now, "before_year": year - 1, "before_total": before["total"]}


# A school's risk level: the highest level of any factor in its risk profile of the year (the
# latest profile filled up to that year).  Ranks make it sortable and comparable in SQL.
RISK_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3}
RISK_BY_RANK = {rank: level for level, rank in RISK_RANK.items()}


def risk_rank_subquery(year: int, school_ref: str = "pk"):
    """Per school (``OuterRef(school_ref)``): the rank (0–3) of the highest risk level in its
    latest risk profile of ``year`` or before; NULL where it has none."""
    from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When

    from schools.models import RiskAssessment

    rank = Case(
        *(When(level=level, then=Value(r)) for level, r in RISK_RANK.items()),
        output_field=IntegerField(),
    )
    latest = (
        RiskAssessment.objects.filter(school=OuterRef(school_ref), year__lte=year)
        .annotate(rank=rank)
        .order_by("-year", "-rank")
        .values("rank")[:1]
    )
    return Subquery(latest, output_field=IntegerField())


def school_risk_level(school, year: int) -> str | None:
    """The school's risk level (``high``/``medium``/``low``/``none``) or None without a profile."""
    from schools.models import School

    rank = School.objects.filter(pk=school.pk).annotate(r=risk_rank_subquery(year)).values_list("r", flat=True)
    return RISK_BY_RANK.get(rank.first())


def working_table(schools: QuerySet, year: int | None = None, results_year: int | None = None) -> QuerySet:
    """The coordinator's working table: ``schools`` annotated, in one query whatever their
    number (correlated subqueries, no join fan-out), with the figures a coordinator works by —
    each the same selector the card, panels, documents and API use:

    - ``is_low_results``: ШНОР in ``year`` (``low_results_schools``); ``statuses_now``: every
      status held in ``year`` (one prefetch query);
    - ``school_index`` and ``flags_count`` of ``results_year`` (default: the latest year with
      results among ``schools``; ``assessment.selectors``);
    - ``risk_rank`` (``risk_rank_subquery``) and ``risk_level``, its name (``RISK_BY_RANK``);
    - ``curators`` in force in ``year`` (``curators.selectors.current_curators_subquery``);
    - ``last_visit`` (``curators.selectors.last_visit_subquery``);
    - ``rm_planned``, ``rm_done``, ``roadmap_progress`` (``roadmaps.selectors.with_roadmap_progress``).
    """
    from django.db.models import Case, CharField, Exists, IntegerField, OuterRef, Prefetch, Value, When
    from django.db.models import FloatField as Float

    from assessment.selectors import flag_count_subquery, index_subquery
    from assessment.selectors import results_year as latest_results_year
    from curators.selectors import current_curators_subquery, last_visit_subquery
    from roadmaps.selectors import with_roadmap_progress
    from schools.models import SchoolStatus

    year = year or current_academic_year()
    if results_year is None:
        results_year = latest_results_year(schools)
    low = SchoolStatus.objects.filter(status_held_in(year), school=OuterRef("pk"), kind=StatusKind.LOW_RESULTS)
    qs = schools.annotate(
        is_low_results=Exists(low),
        school_index=index_subquery(results_year) if results_year else Value(None, output_field=Float()),
        flags_count=flag_count_subquery(results_year) if results_year else Value(0, output_field=IntegerField()),
        risk_rank=risk_rank_subquery(year),
        curators=current_curators_subquery(year),
        last_visit=last_visit_subquery(),
    )
    qs = with_roadmap_progress(qs, year).annotate(
        risk_level=Case(
            *(When(risk_rank=rank, then=Value(level)) for rank, level in RISK_BY_RANK.items()),
            default=None,
            output_field=CharField(),
        )
    )
    return qs.prefetch_related(Prefetch("statuses", queryset=statuses_now(year), to_attr="statuses_now"))


def statuses_now(year: int) -> QuerySet:
    """The statuses held in ``year``, by kind: ``working_table``'s ``statuses_now`` (its prefetch)."""
    from schools.models import SchoolStatus

    return SchoolStatus.objects.filter(status_held_in(year)).order_by("kind")


def attach_statuses_now(schools: list, year: int) -> None:
    """``working_table``'s prefetch of ``statuses_now`` for ``schools`` read without it (a
    page of the schools list): the same statuses, in the same order, each with its school —
    in one statement prepared per year, the schools' ids its argument (``core.compiled``)."""
    from schools.models import SchoolStatus

    if not schools:
        return
    by_school: dict[int, list] = {school.pk: [] for school in schools}

    def build(ids):
        return among(statuses_now(year), "school_id", ids)

    for status in prepared(("schools.statuses_now", year), build, list(by_school)):
        by_school[status.school_id].append(status)
    cache_school = SchoolStatus.school.field.set_cached_value  # the school_id is the school's already
    for school in schools:
        school.statuses_now = held = by_school[school.pk]
        for status in held:
            cache_school(status, school)  # each status with its school, as the prefetch leaves them


_COMPILED: dict[tuple, object] = {}


def working_table_rows(ids, fields, year: int, results_year: int | None) -> list[dict]:
    """``working_table(…).values(*fields)`` for the schools ``ids``, in the order of ``ids``:
    the same SQL, compiled once per year, results year, date and fields and then run with
    each page's ids (``core.compiled``) — the API's list pages skip building and compiling
    a dozen subqueries per request.  PostgreSQL; elsewhere the queryset itself."""
    from django.conf import settings
    from django.utils import timezone

    from core.compiled import CompiledRows, restricted_to_ids
    from schools.models import School

    ids = list(ids)
    if not settings.IS_POSTGRES:
        found = {
            r["id"]: r for r in working_table(School.objects.filter(pk__in=ids), year, results_year).values(*fields)
        }
        return [found[i] for i in ids if i in found]
    key = (year, results_year, timezone.localdate(), tuple(fields))
    compiled = _COMPILED.get(key)
    if compiled is None:
        schools, marker = restricted_to_ids(School.objects.order_by())
        # 0, not None: «no results year» (None would make working_table look one up)
        read = list(dict.fromkeys(source for name in fields for source in _FINISHED.get(name, (name,))))
        compiled = CompiledRows(working_table(schools, year, results_year or 0).values(*read), marker)
        if len(_COMPILED) >= 64:
            _COMPILED.clear()
        _COMPILED[key] = compiled
    finish = _finisher(fields)
    found = {r["id"]: finish(r) for r in compiled.rows(ids)}
    return [found[i] for i in ids if i in found]


# Figures that ``working_table_rows`` reads as their inputs and finishes in Python, exactly as
# ``working_table``'s SQL does: PostgreSQL runs a subquery of a CASE once per branch that
# tests it (``risk_level``'s CASE ran the risk profile's subquery up to four times per school,
# ``roadmap_progress`` counted the planned activities twice) — half of the API list's rows
# query.  name → the columns it is made of.
_FINISHED = {"risk_level": ("risk_rank",), "roadmap_progress": ("rm_planned", "rm_done")}


def _roadmap_progress(planned: int, done: int) -> float | None:
    """``with_roadmap_progress``'s CASE: done ÷ planned as double precision, NULL with nothing
    planned (both counts are COALESCEd to 0 in SQL)."""
    return float(done) / float(planned) if planned > 0 else None


def without_finished(schools: QuerySet) -> QuerySet:
    """``working_table`` selecting ``risk_level`` and ``roadmap_progress`` no more (``_FINISHED``:
    their inputs are selected; filters and sorts on them still use the SQL expressions) — a
    page of the schools list, finished in Python by ``finish_figures``."""
    schools = schools.all()
    query = schools.query
    query.set_annotation_mask([name for name in query.annotation_select if name not in _FINISHED])
    return schools


def finish_figures(schools: list) -> None:
    """``risk_level`` and ``roadmap_progress`` of rows read through ``without_finished``: the
    values ``working_table``'s SQL gives."""
    for school in schools:
        school.risk_level = RISK_BY_RANK.get(school.risk_rank)
        school.roadmap_progress = _roadmap_progress(school.rm_planned, school.rm_done)


def _finisher(fields):
    """The row as ``values(*fields)`` gives it (the fields' order) from the row read."""
    risk, progress = "risk_level" in fields, "roadmap_progress" in fields
    if not (risk or progress):
        return lambda row: row
    # the fields' order with every value None: a copy updated with the row read puts each
    # column in its place (in C, not a dict comprehension of 25 lookups per row); the
    # finished figures' inputs land after them and are dropped
    template = dict.fromkeys(fields)
    inputs = [s for name in fields for s in _FINISHED.get(name, ()) if s not in template]

    def finish(row: dict) -> dict:
        out = template.copy()
        out.update(row)
        for source in inputs:
            del out[source]
        if risk:
            out["risk_level"] = RISK_BY_RANK.get(row["risk_rank"])
        if progress:
            out["roadmap_progress"] = _roadmap_progress(row["rm_planned"], row["rm_done"])
        return out

    return finish


def school_figures(school, year: int | None = None) -> dict:
    """One school's row of ``working_table`` (its own latest results year): what its card
    shows at the top, the same numbers as the schools table and the API (the table's SQL,
    compiled once: ``working_table_rows``)."""
    from assessment.selectors import school_results_year

    year = year or current_academic_year()
    ry = school_results_year(school)
    fields = ["id", "is_low_results", "school_index", "flags_count", "risk_level", "curators", "last_visit"]
    (row,) = working_table_rows([school.pk], [*fields, "roadmap_progress"], year, ry)
    # working_table's prefetch of the statuses held in the year, for this one school (prepared
    # per year, the school's id as argument: core/compiled.py)
    statuses = list(
        prepared(
            ("card.statuses_held", year),
            lambda sid: statuses_now(year).filter(school=sid),
            school.pk,
        )
    )
    return {
        "year": year,
        "results_year": ry,
        "statuses": statuses,
        "is_low_results": row["is_low_results"],
        "index": row["school_index"],
        "flags": row["flags_count"],
        "risk_level": row["risk_level"],
        "curators": row["curators"] or "",
        "last_visit": row["last_visit"],
        "roadmap_progress": row["roadmap_progress"],
    }
