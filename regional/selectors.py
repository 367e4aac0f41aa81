"""The figures that compare the municipalities of a region — one named read per figure,
each grouped by municipality and academic year in a fixed number of queries whatever the
number of municipalities and schools.  The dashboard, its xlsx, its charts, the home
panel, the regional report and the API's municipality summary all read them through
``municipality_summary``; nothing recomputes a figure elsewhere.

Definitions (``year`` is an academic year, its data date ``as_of(year)`` is today while the
year runs and its last day, 31 August, once it is over):

- *ШНОР*: schools holding the ШНОР status in the year (``schools.selectors.status_held_in``);
  *entered* / *left*: against the year before.
- *Candidates*: the municipality's low-result candidates of the year (``SchoolIndex``).
- *Spread*: P90 − P10 of the municipality's school indices (``Spread``).
- *Results*: participants, mean percent, share of «2» and quality over the rows of the year
  (optionally of one procedure and subject), pooled from sums — participants × mean, marks ×
  share, added up by the analysis per municipality, procedure and subject
  (``MunicipalityResult``) — which equals computing them from the rows, never an average of
  the group figures (RESULTS.md).
- *Programme effectiveness*: ``ProgrammeEffect`` of the year.
- *Curator coverage*: ШНОР schools of the year with an active school or regional curator
  assignment for that year.
- *Visits*: curators' visits to the year's ШНОР schools dated within the year; per ШНОР school.
- *Overdue recommendations*: recommendations open after their due date on ``as_of(year)``
  (today: ``curators.selectors.overdue_q``; a past date: not marked done nor closed by then).
- *Progress reports on time*: reporting periods of the year's school roadmaps whose report
  was due by ``as_of(year)``, and how many of those reports were first submitted by their
  due date.
- *Events held*: the municipality's own methodical events of the year held by ``as_of``
  (ended by then and not cancelled); *participants*: attended registrations of the
  municipality's schools in any event of the year held by then (the region's events too);
  *ШНОР taking part*: the year's ШНОР with at least one attended registration."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.years import academic_year_bounds, current_academic_year

# --- Dates --------------------------------------------------------------------------------


def as_of(year: int, today: datetime.date | None = None) -> datetime.date:
    """The data date of an academic year: today while it runs, its last day once it is over."""
    today = today or timezone.localdate()
    return min(today, academic_year_bounds(year)[1])


def _year_of_date(field: str, years: Iterable[int]) -> Case:
    """The academic year (of ``years``) a date field falls in, as an SQL expression."""
    whens = []
    for y in years:
        first, last = academic_year_bounds(y)
        whens.append(When(**{f"{field}__gte": first, f"{field}__lte": last}, then=Value(y)))
    return Case(*whens, default=Value(None), output_field=IntegerField())


# --- ШНОР ---------------------------------------------------------------------------------


def low_results_sets(municipality_ids: list[int], years: Iterable[int]) -> dict[int, dict[int, set[int]]]:
    """municipality → year → ids of the schools holding the ШНОР status that year (one query)."""
    from schools.models import SchoolStatus, StatusKind

    years = sorted(set(years))
    result: dict[int, dict[int, set[int]]] = {m: {y: set() for y in years} for m in municipality_ids}
    if not years or not municipality_ids:
        return result
    rows = (
        SchoolStatus.objects.filter(
            kind=StatusKind.LOW_RESULTS, school__municipality_id__in=municipality_ids, year_from__lte=max(years)
        )
        .filter(Q(year_to__isnull=True) | Q(year_to__gte=min(years)))
        .values_list("school__municipality_id", "school_id", "year_from", "year_to")
    )
    for muni, school, y_from, y_to in rows:
        for y in years:
            if y_from <= y and (y_to is None or y_to >= y):
                result[muni][y].add(school)
    return result


def low_results_movement(low: dict[int, dict[int, set[int]]], years: list[int]) -> dict[tuple[int, int], dict]:
    """(municipality, year) → ШНОР count, entered and left against the year before; ``low``
    must hold the year before each of ``years``."""
    result = {}
    for muni, by_year in low.items():
        for y in years:
            now, before = by_year.get(y, set()), by_year.get(y - 1, set())
            result[(muni, y)] = {
                "low_results": len(now),
                "low_results_entered": len(now - before),
                "low_results_left": len(before - now),
            }
    return result


# --- Results analysis ---------------------------------------------------------------------


def candidates(municipality_ids: list[int], years: list[int]) -> dict[tuple[int, int], int]:
    from assessment.models import SchoolIndex

    rows = (
        SchoolIndex.objects.filter(municipality_id__in=municipality_ids, year__in=years, candidate=True)
        .values("municipality_id", "year")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["municipality_id"], r["year"]): r["n"] for r in rows}


def spreads(municipality_ids: list[int], years: list[int]) -> dict[tuple[int, int], float]:
    from assessment.models import Spread

    rows = Spread.objects.filter(municipality_id__in=municipality_ids, year__in=years)
    return {(s.municipality_id, s.year): s.spread for s in rows.only("municipality_id", "year", "spread")}


# The sums over the rows, added up from the municipalities' sums (MunicipalityResult).
RESULT_SUMS = {
    "n": Sum("participants"),
    "sum_percent": Sum("sum_percent"),
    "marks": Sum("with_mark"),
    "fails": Sum("n_fail"),
    "good": Sum("n_quality"),
}


def pooled(sums: dict | None) -> dict:
    """Participants, mean percent, share of «2» and quality from summed group figures."""
    sums = sums or {}
    n, marks = sums.get("n") or 0, sums.get("marks") or 0
    return {
        "results_participants": n,
        "results_mean_percent": sums["sum_percent"] / n if n else None,
        "results_share_fail": sums["fails"] / marks if marks else None,
        "results_quality_rate": sums["good"] / marks if marks else None,
    }


def result_sums(
    municipality_ids: list[int], years: list[int], *, procedure=None, subject=None, by: tuple[str, ...] = ()
) -> dict[tuple, dict]:
    """(municipality, year, *by) → the sums over the year's rows (one query, over the sums the
    analysis keeps per municipality, procedure and subject: ``MunicipalityResult``)."""
    from regional.models import MunicipalityResult

    qs = MunicipalityResult.objects.filter(municipality_id__in=municipality_ids, year__in=years)
    if procedure is not None:
        qs = qs.filter(procedure=procedure)
    if subject is not None:
        qs = qs.filter(subject=subject)
    keys = ("municipality_id", "year", *by)
    rows = qs.values(*keys).annotate(**RESULT_SUMS).order_by()
    return {tuple(r[k] for k in keys): r for r in rows}


def results_by_subject(municipality_ids: list[int], years: list[int], *, procedure=None, subject=None) -> list[dict]:
    """Rows of (municipality, procedure, subject) with the figures of each year, pooled."""
    sums = result_sums(
        municipality_ids, years, procedure=procedure, subject=subject, by=("procedure__code", "subject__name")
    )
    rows: dict[tuple, dict] = {}
    for (muni, year, procedure_code, subject_name), row in sums.items():
        entry = rows.setdefault(
            (muni, procedure_code, subject_name),
            {"municipality_id": muni, "procedure": procedure_code, "subject": subject_name, "years": {}},
        )
        entry["years"][year] = pooled(row)
    return list(rows.values())


# --- Curators -----------------------------------------------------------------------------

CURATOR_ROLES = ("school_curator", "regional_curator")


def curated_schools(municipality_ids: list[int], years: list[int]) -> dict[int, set[int]]:
    """year → ids of the schools with an active school or regional curator that year (one query)."""
    from curators.models import CuratorAssignment

    rows = (
        CuratorAssignment.objects.filter(
            school__municipality_id__in=municipality_ids, year__in=years, is_active=True, role__in=CURATOR_ROLES
        )
        .values_list("year", "school_id")
        .distinct()
    )
    result: dict[int, set[int]] = defaultdict(set)
    for year, school in rows:
        result[year].add(school)
    return result


def visits_by_school(municipality_ids: list[int], years: list[int]) -> dict[tuple[int, int], int]:
    """(school, year) → visits dated within that academic year (one query)."""
    from curators.models import Visit

    rows = (
        Visit.objects.filter(school__municipality_id__in=municipality_ids)
        .annotate(ay=_year_of_date("date", years))
        .filter(ay__isnull=False)
        .values("school_id", "ay")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["school_id"], r["ay"]): r["n"] for r in rows}


def visits_subquery(year: int):
    """Per school (an outer School query): its visits dated within the academic year."""
    from django.db.models import OuterRef, Subquery

    from curators.models import Visit

    first, last = academic_year_bounds(year)
    counted = (
        Visit.objects.filter(school=OuterRef("pk"), date__gte=first, date__lte=last)
        .order_by()
        .values("school")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def overdue_at(day: datetime.date, today: datetime.date | None = None) -> Q:
    """Recommendations overdue on ``day``: today's are the curators app's own definition
    (open and past due); on a past day — past due and neither marked done nor closed by then."""
    from curators.models import RecommendationStatus
    from curators.selectors import overdue_q

    today = today or timezone.localdate()
    if day >= today:
        return overdue_q()
    open_then = (Q(done_at__isnull=True) | Q(done_at__date__gt=day)) & (
        Q(closed_at__isnull=True) | Q(closed_at__date__gt=day)
    )
    return Q(due_date__lt=day) & (Q(status=RecommendationStatus.OPEN) | open_then)


def overdue_recommendations(municipality_ids: list[int], years: list[int]) -> dict[tuple[int, int], int]:
    """(municipality, year) → recommendations overdue on the year's data date (one query)."""
    from curators.models import Recommendation

    today = timezone.localdate()
    counts = {f"y{y}": Count("id", filter=overdue_at(as_of(y, today), today)) for y in years}
    rows = (
        Recommendation.objects.filter(visit__school__municipality_id__in=municipality_ids)
        .values("visit__school__municipality_id")
        .annotate(**counts)
        .order_by()
    )
    return {(r["visit__school__municipality_id"], y): r[f"y{y}"] for r in rows for y in years}


# --- Roadmaps -----------------------------------------------------------------------------


def reports_on_time(municipality_ids: list[int], years: list[int]) -> dict[tuple[int, int], dict]:
    """(municipality, year) → reports due by the year's data date and those first submitted
    by their due date (two queries; the periods of each roadmap are dates, worked out here)."""
    from roadmaps.models import ProgressReport, ReportStatus, Roadmap
    from roadmaps.selectors import roadmap_periods

    today = timezone.localdate()
    roadmaps = list(
        Roadmap.objects.filter(school__municipality_id__in=municipality_ids, year__in=years).annotate(
            school_municipality_id=F("school__municipality_id")  # not a School per roadmap
        )
    )
    first_submitted = {
        (r["roadmap_id"], r["period_start"]): r["first"] or r["submitted_at"]
        for r in ProgressReport.objects.filter(roadmap__in=[r.pk for r in roadmaps])
        .values("roadmap_id", "period_start", "submitted_at")
        .annotate(first=Min("transitions__at", filter=Q(transitions__to_status=ReportStatus.SUBMITTED)))
        .order_by()
    }
    result: dict[tuple[int, int], dict] = {}
    for roadmap in roadmaps:
        key = (roadmap.school_municipality_id, roadmap.year)
        row = result.setdefault(key, {"reports_due": 0, "reports_on_time": 0})
        for period in roadmap_periods(roadmap):
            if period.due_date >= as_of(roadmap.year, today):
                continue
            row["reports_due"] += 1
            submitted = first_submitted.get((roadmap.pk, period.start))
            if submitted is not None and timezone.localdate(submitted) <= period.due_date:
                row["reports_on_time"] += 1
    return result


# --- Events -------------------------------------------------------------------------------


def held_q(day_end: datetime.datetime, prefix: str = "") -> Q:
    """An event held by ``day_end``: over by then and not cancelled — by its date and status
    together (a planned event is never held before its end, whatever its status says)."""
    from events.models import EventStatus

    return Q(**{f"{prefix}end__lte": day_end}) & ~Q(**{f"{prefix}status": EventStatus.CANCELLED})


def _end_of(day: datetime.date) -> datetime.datetime:
    end = datetime.datetime.combine(day, datetime.time.max)
    return min(timezone.make_aware(end), timezone.now())


def _events_year_q(years: list[int], prefix: str = "") -> Q:
    q = Q()
    for y in years:
        first, last = academic_year_bounds(y)
        q |= Q(**{f"{prefix}start__date__gte": first, f"{prefix}start__date__lte": last}) & held_q(
            _end_of(as_of(y)), prefix
        )
    return q


def _held_by(field: str, ids: list[int], years: list[int]) -> dict[tuple[int, int], int]:
    from events.models import Event

    rows = (
        Event.objects.filter(_events_year_q(years), **{f"{field}__in": ids})
        .annotate(ay=_year_of_date("start__date", years))
        .values(field, "ay")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r[field], r["ay"]): r["n"] for r in rows}


def events_held(municipality_ids: list[int], years: list[int]) -> dict[tuple[int, int], int]:
    """(municipality, year) → the municipality's own events of the year held by its data date."""
    return _held_by("municipality_id", municipality_ids, years)


def regional_events_held(region_ids: list[int], years: list[int]) -> dict[tuple[int, int], int]:
    """(region, year) → the region's own events of the year held by its data date."""
    return _held_by("region_id", region_ids, years)


def attendance_by_school(municipality_ids: list[int], years: list[int]) -> dict[tuple[int, int], int]:
    """(school, year) → attended registrations of the school in events of the year held by
    its data date — the municipality's and the region's (one query)."""
    from events.models import Registration, RegistrationStatus

    rows = (
        Registration.objects.filter(
            _events_year_q(years, "event__"),
            school__municipality_id__in=municipality_ids,
            status=RegistrationStatus.REGISTERED,
            attended=True,
        )
        .annotate(ay=_year_of_date("event__start__date", years))
        .values("school_id", "ay")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["school_id"], r["ay"]): r["n"] for r in rows}


def school_municipalities(municipality_ids: list[int]) -> dict[int, int]:
    from schools.models import School

    return dict(School.objects.filter(municipality_id__in=municipality_ids).values_list("id", "municipality_id"))


# --- The summary --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str = "count"  # count | share (0..1) | index | number
    group: str = "programme"


# The figures' groups: one tab of the comparison page each (the xlsx and the API carry all).
GROUPS = {
    "programme": _("ШНОР and the programme"),
    "results": _("Results"),
    "support": _("Curators and roadmaps"),
    "events": _("Events"),
}

FIGURES = [
    Figure("low_results", _("ШНОР")),
    Figure("low_results_entered", _("ШНОР: entered")),
    Figure("low_results_left", _("ШНОР: left")),
    Figure("candidates", _("Low-result candidates")),
    Figure("spread", _("Spread of school indices"), "index"),
    Figure("effect_share_rose", _("Effectiveness: index rose"), "share"),
    Figure("effect_share_left", _("Effectiveness: left ШНОР"), "share"),
    Figure("results_participants", _("Participants"), group="results"),
    Figure("results_mean_percent", _("Mean percent"), "number", group="results"),
    Figure("results_share_fail", _("Share of «2»"), "share", group="results"),
    Figure("results_quality_rate", _("Quality"), "share", group="results"),
    Figure("curator_coverage", _("ШНОР with a curator"), "share", group="support"),
    Figure("visits", _("Visits to ШНОР"), group="support"),
    Figure("visits_per_low_school", _("Visits per ШНОР"), "number", group="support"),
    Figure("overdue_recommendations", _("Overdue recommendations"), group="support"),
    Figure("reports_on_time_share", _("Progress reports on time"), "share", group="support"),
    Figure("events_held", _("Events held"), group="events"),
    Figure("participants", _("Participants of events"), group="events"),
    Figure("low_results_participation", _("ШНОР taking part in events"), "share", group="events"),
]
FIGURE_KEYS = [f.key for f in FIGURES]
# Counts kept beside the shares (the API and the xlsx give both).
EXTRA_KEYS = [
    "effect_participants",
    "effect_rose",
    "effect_left",
    "low_results_with_curator",
    "reports_due",
    "reports_on_time",
    "low_results_taking_part",
]


@dataclass
class SummaryRow:
    municipality: object  # a Municipality, or None for the region's total
    values: dict[int, dict] = field(default_factory=dict)  # year → figure key → value

    @property
    def is_total(self) -> bool:
        return self.municipality is None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _figures(low_now: set[int], year: int, parts: dict) -> dict:
    """The figures of one municipality (or of the whole region) in one year from its parts."""
    covered = low_now & parts["curated"]
    taking_part = {s for s in low_now if parts["attendance"].get((s, year))}
    visits = sum(parts["visits"].get((s, year), 0) for s in low_now)
    reports = parts["reports"] or {}
    effect = parts["effect"] or {}
    return {
        **parts["movement"],
        "candidates": parts["candidates"],
        "spread": parts["spread"],
        **pooled(parts["result_sums"]),
        "effect_participants": effect.get("effect_participants"),
        "effect_rose": effect.get("effect_rose"),
        "effect_left": effect.get("effect_left"),
        "effect_share_rose": effect.get("effect_share_rose"),
        "effect_share_left": effect.get("effect_share_left"),
        "low_results_with_curator": len(covered),
        "curator_coverage": _share(len(covered), len(low_now)),
        "visits": visits,
        "visits_per_low_school": _share(visits, len(low_now)),
        "overdue_recommendations": parts["overdue"],
        "reports_due": reports.get("reports_due", 0),
        "reports_on_time": reports.get("reports_on_time", 0),
        "reports_on_time_share": _share(reports.get("reports_on_time", 0), reports.get("reports_due", 0)),
        "events_held": parts["events"],
        "participants": parts["participants"],
        "low_results_taking_part": len(taking_part),
        "low_results_participation": _share(len(taking_part), len(low_now)),
    }


def _add(total: dict | None, part: dict | None, keys) -> dict | None:
    if part is None:
        return total
    total = dict(total or dict.fromkeys(keys, 0))
    for k in keys:
        total[k] = (total[k] or 0) + (part.get(k) or 0)
    return total


def municipality_summary(municipalities, year: int, *, procedure=None, subject=None, region=None) -> list[SummaryRow]:
    """One row per municipality (in the given order) with every figure of ``year`` and of the
    year before; with ``region``, a last row for the whole region, computed from the same
    parts (sums of counts, pooled results — never an average of the municipalities' figures;
    the spread is the region's own, of the regional index).  A fixed number of queries."""
    from regional.models import RegionalSpread

    municipalities = list(municipalities)
    ids = [m.pk for m in municipalities]
    years = [year - 1, year]
    low = low_results_sets(ids, [year - 2, *years])
    movement = low_results_movement(low, years)
    cand = candidates(ids, years)
    spread = spreads(ids, years)
    sums = result_sums(ids, years, procedure=procedure, subject=subject)
    effects = {}
    from assessment.models import ProgrammeEffect

    for e in ProgrammeEffect.objects.filter(municipality_id__in=ids, year__in=years):
        effects[(e.municipality_id, e.year)] = {
            "effect_participants": e.participants,
            "effect_rose": e.rose,
            "effect_left": e.left_status,
        }
    curated = curated_schools(ids, years)
    visits = visits_by_school(ids, years)
    overdue = overdue_recommendations(ids, years)
    reports = reports_on_time(ids, years)
    events = events_held(ids, years)
    attendance = attendance_by_school(ids, years)
    schools_of = school_municipalities(ids)
    people: dict[tuple[int, int], int] = defaultdict(int)
    for (school, y), n in attendance.items():
        people[(schools_of.get(school), y)] += n

    def effect_of(raw: dict | None) -> dict | None:
        if not raw:
            return None
        n = raw["effect_participants"]
        return {
            **raw,
            "effect_share_rose": _share(raw["effect_rose"], n),
            "effect_share_left": _share(raw["effect_left"], n),
        }

    rows = []
    totals: dict[int, dict] = {y: {"low": set(), "before": set()} for y in years}
    for m in municipalities:
        row = SummaryRow(m)
        for y in years:
            parts = {
                "movement": movement[(m.pk, y)],
                "candidates": cand.get((m.pk, y), 0),
                "spread": spread.get((m.pk, y)),
                "result_sums": sums.get((m.pk, y)),
                "effect": effect_of(effects.get((m.pk, y))),
                "curated": curated.get(y, set()),
                "visits": visits,
                "overdue": overdue.get((m.pk, y), 0),
                "reports": reports.get((m.pk, y)),
                "events": events.get((m.pk, y), 0),
                "participants": people.get((m.pk, y), 0),
                "attendance": attendance,
            }
            row.values[y] = _figures(low[m.pk][y], y, parts)
            t = totals[y]
            t["low"] |= low[m.pk][y]
            t["before"] |= low[m.pk][y - 1]
            t["sums"] = _add(t.get("sums"), sums.get((m.pk, y)), RESULT_SUMS)
            t["effect"] = _add(
                t.get("effect"), effects.get((m.pk, y)), ("effect_participants", "effect_rose", "effect_left")
            )
            t["reports"] = _add(t.get("reports"), reports.get((m.pk, y)), ("reports_due", "reports_on_time"))
            for key in ("candidates", "overdue", "events", "participants"):
                t[key] = t.get(key, 0) + parts[key]
        rows.append(row)
    if region is not None and municipalities:
        regional_spread = {s.year: s.spread for s in RegionalSpread.objects.filter(region=region, year__in=years)}
        regional_events = regional_events_held([region.pk], years)
        total = SummaryRow(None)
        for y in years:
            t = totals[y]
            parts = {
                "movement": {
                    "low_results": len(t["low"]),
                    "low_results_entered": len(t["low"] - t["before"]),
                    "low_results_left": len(t["before"] - t["low"]),
                },
                "candidates": t["candidates"],
                "spread": regional_spread.get(y),
                "result_sums": t["sums"],
                "effect": effect_of(t["effect"]),
                "curated": curated.get(y, set()),
                "visits": visits,
                "overdue": t["overdue"],
                "reports": t["reports"],
                "events": t["events"] + regional_events.get((region.pk, y), 0),
                "participants": t["participants"],
                "attendance": attendance,
            }
            total.values[y] = _figures(t["low"], y, parts)
        rows.append(total)
    return rows


def default_year(region_ids: list[int]) -> int:
    """The latest academic year with analysed results in the regions (else the current one):
    the year whose every figure — results and effectiveness too — can be read."""
    from assessment.models import Spread

    latest = Spread.objects.filter(municipality__region_id__in=region_ids).aggregate(y=Max("year"))["y"]
    return latest or current_academic_year()
