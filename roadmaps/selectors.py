"""Reads worth naming: plan quality checks, report documents (live or frozen), monitoring."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.years import current_academic_year
from roadmaps.models import (
    Activity,
    ActivityStatus,
    DocumentKind,
    Goal,
    Indicator,
    IndicatorActual,
    ProgressReport,
    ReportEntry,
    ReportStatus,
    Roadmap,
    SchoolDocument,
    Task,
    period_bounds,
    period_name,
)

# --- Plan quality -------------------------------------------------------------------------


@dataclass
class Problem:
    activity_id: int | None
    message: str


def _norm(text: str) -> str:
    return " ".join((text or "").lower().split())


def roadmap_tree(roadmap: Roadmap) -> list[Goal]:
    """Goals with their tasks, activities and indicators in three queries."""
    activities = Activity.objects.select_related("risk_factor", "responsible_user").prefetch_related("indicators")
    tasks = Task.objects.prefetch_related(Prefetch("activities", queryset=activities))
    return list(roadmap.goals.prefetch_related(Prefetch("tasks", queryset=tasks)))


def roadmap_quality_problems(roadmap: Roadmap) -> list[Problem]:
    """What must be fixed before the roadmap can be submitted, one line per problem."""
    problems: list[Problem] = []
    previous: set[str] = set()
    if roadmap.school_id:
        previous_activities = Activity.objects.filter(
            task__goal__roadmap__school_id=roadmap.school_id, task__goal__roadmap__year=roadmap.year - 1
        ).values_list("title", "expected_result")
        for title, result in previous_activities:
            previous.add(_norm(title))
            if result:
                previous.add(_norm(result))
    goals = roadmap_tree(roadmap)
    if not goals:
        problems.append(Problem(None, _("The roadmap has no goals and activities yet.")))
    for goal in goals:
        for task in goal.tasks.all():
            for a in task.activities.all():
                name = a.title
                if not (a.responsible_name.strip() or a.responsible_user_id):
                    problems.append(Problem(a.pk, _("«%(a)s»: no responsible person.") % {"a": name}))
                if not a.due_date:
                    problems.append(Problem(a.pk, _("«%(a)s»: no due date.") % {"a": name}))
                indicators = list(a.indicators.all())
                if not any(i.is_measurable for i in indicators):
                    problems.append(Problem(a.pk, _("«%(a)s»: no measurable indicator with a target.") % {"a": name}))
                for i in indicators:
                    if i.target is not None and i.baseline is not None and i.target == i.baseline:
                        problems.append(
                            Problem(
                                a.pk,
                                _("«%(a)s»: the target of «%(i)s» equals its baseline.") % {"a": name, "i": i.name},
                            )
                        )
                if _norm(a.title) in previous or (a.expected_result and _norm(a.expected_result) in previous):
                    problems.append(
                        Problem(
                            a.pk, _("«%(a)s»: the text is copied unchanged from last year's roadmap.") % {"a": name}
                        )
                    )
    return problems


# --- Documents ----------------------------------------------------------------------------


def anti_risk_proposals(school, year: int | None = None):
    """Risk factors at high or medium level in the school's risk profile for the year that
    have no anti-risk programme yet: the portal proposes one programme per factor."""
    from schools.models import RiskFactor, RiskLevel

    year = year or current_academic_year()
    have = SchoolDocument.objects.filter(school=school, year=year, kind=DocumentKind.ANTI_RISK).values("risk_factor_id")
    return (
        RiskFactor.objects.filter(
            assessments__school=school,
            assessments__year=year,
            assessments__level__in=[RiskLevel.HIGH, RiskLevel.MEDIUM],
        )
        .exclude(id__in=have)
        .distinct()
        .order_by("position", "name")
    )


# --- Report document (live or frozen) -----------------------------------------------------


def _num(value) -> float | None:
    return None if value is None else float(value)


def report_document(report: ProgressReport) -> dict:
    """The report as plain data: the plan (goals → tasks → activities → indicators) with the
    entries, actual values and evidence for its period.  An approved report returns the
    snapshot taken at approval, so later changes to the roadmap do not alter it."""
    if report.status == ReportStatus.APPROVED and report.snapshot:
        return report.snapshot
    roadmap = report.roadmap
    entries = {e.activity_id: e for e in ReportEntry.objects.filter(report=report).prefetch_related("evidence")}
    actuals = {
        a.indicator_id: a.value
        for a in IndicatorActual.objects.filter(
            indicator__activity__task__goal__roadmap=roadmap, period_start=report.period_start
        )
    }
    goals = []
    for goal in roadmap_tree(roadmap):
        tasks = []
        for task in goal.tasks.all():
            activities = []
            for a in task.activities.all():
                entry = entries.get(a.pk)
                if entry is None:
                    continue
                activities.append(
                    {
                        "id": a.pk,
                        "entry_id": entry.pk,
                        "title": a.title,
                        "responsible": ", ".join(x for x in (a.responsible_name, a.responsible_position) if x),
                        "start_date": a.start_date.isoformat() if a.start_date else None,
                        "due_date": a.due_date.isoformat() if a.due_date else None,
                        "expected_result": a.expected_result,
                        "risk_factor": str(a.risk_factor) if a.risk_factor_id else "",
                        "status": entry.status,
                        "cancel_reason": entry.cancel_reason,
                        "comment": entry.comment,
                        "curator_comment": entry.curator_comment,
                        "evidence_link": entry.evidence_link,
                        "evidence": [{"name": ev.file.name, "filename": ev.filename} for ev in entry.evidence.all()],
                        "indicators": [
                            {
                                "id": i.pk,
                                "name": i.name,
                                "unit": i.unit,
                                "baseline": _num(i.baseline),
                                "target": _num(i.target),
                                "actual": _num(actuals.get(i.pk)),
                            }
                            for i in a.indicators.all()
                        ],
                    }
                )
            if activities:
                tasks.append({"title": task.title, "activities": activities})
        if tasks:
            goals.append({"title": goal.title, "tasks": tasks})
    return {
        "roadmap": {"id": roadmap.pk, "title": roadmap.title, "owner": str(roadmap.owner), "year": roadmap.year},
        "period": {
            "label": str(report.period_label),
            "start": report.period_start.isoformat(),
            "end": report.period_end.isoformat(),
        },
        "goals": goals,
    }


def iter_document_activities(doc: dict):
    for goal in doc.get("goals", []):
        for task in goal["tasks"]:
            yield from task["activities"]


# --- Periods and monitoring ---------------------------------------------------------------


@dataclass
class Period:
    start: datetime.date
    end: datetime.date
    kind: str
    due_date: datetime.date

    @property
    def label(self) -> str:
        """In the language active where it is shown (e-mails use the recipient's)."""
        return period_name(self.start, self.kind)

    @property
    def short_label(self) -> str:
        return period_name(self.start, self.kind, short=True)


def roadmap_periods(roadmap: Roadmap) -> list[Period]:
    return [
        Period(s, e, roadmap.period_kind, e + datetime.timedelta(days=roadmap.report_due_days))
        for s, e in period_bounds(roadmap)
    ]


def reporting_period(roadmap: Roadmap, today: datetime.date | None = None) -> Period | None:
    """The period a report is expected for now: the one containing today, or the last one
    ended before today whose report is still due."""
    today = today or timezone.localdate()
    periods = roadmap_periods(roadmap)
    current = None
    for p in periods:
        if p.start <= today:
            current = p
    return current


def roadmaps_with_progress(qs: QuerySet) -> QuerySet:
    """Annotate roadmaps with activity counts: total, done, cancelled, overdue."""
    today = timezone.localdate()
    a = "goals__tasks__activities"
    return qs.annotate(
        n_activities=Count(a, distinct=True),
        n_done=Count(a, filter=Q(**{f"{a}__progress_status": ActivityStatus.DONE}), distinct=True),
        n_cancelled=Count(a, filter=Q(**{f"{a}__progress_status": ActivityStatus.CANCELLED}), distinct=True),
        n_overdue=Count(
            a,
            filter=Q(**{f"{a}__due_date__lt": today})
            & ~Q(**{f"{a}__progress_status__in": [ActivityStatus.DONE, ActivityStatus.CANCELLED]}),
            distinct=True,
        ),
    )


def completion_share(roadmap) -> float | None:
    planned = (getattr(roadmap, "n_activities", 0) or 0) - (getattr(roadmap, "n_cancelled", 0) or 0)
    if planned <= 0:
        return None
    return roadmap.n_done / planned


def current_roadmaps(user, year: int | None = None) -> QuerySet:
    year = year or current_academic_year()
    return Roadmap.objects.restrict(user).filter(year=year).select_related("school", "owner_municipality")


def report_states(roadmaps, today: datetime.date | None = None) -> list[dict]:
    """For each roadmap: its current reporting period and the report for it (or None),
    whether that report is still due, and the periods whose report is late (due date passed,
    not submitted or missing).  Two queries whatever the number of roadmaps."""
    today = today or timezone.localdate()
    roadmaps = list(roadmaps)
    started = {r.pk: [p for p in roadmap_periods(r) if p.start <= today] for r in roadmaps}
    reports = {(rep.roadmap_id, rep.period_start): rep for rep in _reports_of([r.pk for r in roadmaps])}
    rows = []
    for r in roadmaps:
        if not started[r.pk]:
            continue
        current = started[r.pk][-1]
        rep = reports.get((r.pk, current.start))

        def not_sent(report) -> bool:
            return report is None or report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)

        late_periods = [p for p in started[r.pk] if p.due_date < today and not_sent(reports.get((r.pk, p.start)))]
        rows.append(
            {
                "roadmap": r,
                "period": current,
                "report": rep,
                "late": bool(late_periods),
                "late_periods": late_periods,
                "missing": rep is None,
                "due": not_sent(rep) and today <= current.due_date,
            }
        )
    return rows


def _reports_of(ids: list[int]):
    """The reports of the roadmaps ``ids`` with their roadmap: one statement prepared once
    (``core.compiled``, the ids its array argument).  No roadmaps, no query — as
    ``roadmap__in=[]`` sends none, but without building and compiling that queryset (half a
    millisecond of every coordinator's home with no roadmaps this year)."""
    if not ids:
        return []
    from core.compiled import among, prepared

    def build(ids):
        return among(ProgressReport.objects.all(), "roadmap_id", ids).select_related("roadmap")

    return prepared(("roadmaps.reports_of",), build, ids)


def reports_waiting_for_review(user) -> QuerySet:
    from accounts.scoping import curated_schools

    schools = curated_schools(user).values("id")
    return (
        ProgressReport.objects.restrict(user)
        .filter(status=ReportStatus.SUBMITTED, roadmap__school__in=schools)
        .select_related("roadmap__school")
    )


def pending_approval_q(prefix: str = "") -> Q:
    """A progress report waiting for the coordinator's approval: accepted by the curator, or
    submitted for a municipal roadmap (which has no curator's review)."""
    return Q(**{f"{prefix}status": ReportStatus.ACCEPTED}) | Q(
        **{f"{prefix}status": ReportStatus.SUBMITTED, f"{prefix}roadmap__school__isnull": True}
    )


def reports_pending_approval(reports: QuerySet | None = None) -> QuerySet:
    """Pending approvals among ``reports`` (default: all): the one figure of the home panel,
    the approval queue, the documents and the API (``?pending_approval=true``)."""
    qs = ProgressReport.objects.all() if reports is None else reports
    return qs.filter(pending_approval_q())


def reports_pending_review(reports: QuerySet | None = None) -> QuerySet:
    """Reports a school submitted that wait for its curator's review."""
    qs = ProgressReport.objects.all() if reports is None else reports
    return qs.filter(status=ReportStatus.SUBMITTED, roadmap__school__isnull=False)


def reports_waiting_for_approval(user) -> QuerySet:
    return reports_pending_approval(ProgressReport.objects.restrict(user, "manage")).select_related(
        "roadmap__school", "roadmap__owner_municipality"
    )


def municipality_reports(municipality, year: int | None = None) -> QuerySet:
    """Progress reports of the municipality's roadmaps (its schools' and its own), of ``year``."""
    qs = ProgressReport.objects.filter(
        Q(roadmap__school__municipality=municipality) | Q(roadmap__owner_municipality=municipality)
    )
    return qs if year is None else qs.filter(roadmap__year=year)


def indicators_with_latest(qs: QuerySet) -> QuerySet:
    """Indicators annotated with their latest actual value."""
    from django.db.models import Subquery

    latest = IndicatorActual.objects.filter(indicator=OuterRef("pk")).order_by("-period_start")
    return qs.annotate(latest_actual=Subquery(latest.values("value")[:1]))


def is_off_track(indicator, actual: Decimal | None, due_date: datetime.date | None, today=None) -> bool:
    """Off track: the activity is due and the actual falls short of the target, or the actual
    moved away from the target compared with the baseline."""
    today = today or timezone.localdate()
    if actual is None or indicator.target is None:
        return False
    rising = indicator.baseline is None or indicator.target >= indicator.baseline
    reached = actual >= indicator.target if rising else actual <= indicator.target
    if reached:
        return False
    if due_date and due_date < today:
        return True
    if indicator.baseline is not None:
        return actual < indicator.baseline if rising else actual > indicator.baseline
    return False


def off_track_indicators(roadmap_qs: QuerySet, today=None) -> list:
    qs = indicators_with_latest(
        Indicator.objects.filter(activity__task__goal__roadmap__in=roadmap_qs).select_related(
            "activity__task__goal__roadmap__school"
        )
    )
    return [i for i in qs if is_off_track(i, i.latest_actual, i.activity.due_date, today)]


# At most this many academic years on one indicator chart: the roadmap's own and the ones before.
TREND_YEARS = 5


def _trend_keys(indicator: Indicator) -> set[tuple]:
    """What makes two indicators of one owner «the same over years»: the same name and unit,
    or (both linked) the same assessment figure."""
    keys: set[tuple] = {("name", _norm(indicator.name), _norm(indicator.unit))}
    if indicator.is_linked:
        keys.add(
            (
                "figure",
                _norm(indicator.source_procedure),
                _norm(indicator.source_subject),
                indicator.source_grade,
                _norm(indicator.source_metric),
            )
        )
    return keys


@dataclass
class IndicatorTrend:
    """An indicator's actual values over its reporting periods, earlier years' roadmaps first."""

    indicator: Indicator
    periods: list[Period]
    values: list[float | None]
    # (index of the first period, academic year) of each roadmap on the chart, oldest first.
    sections: list[tuple[int, int]]
    latest: float | None  # the latest value reported in this roadmap (off-track check)


def indicator_trends(roadmap: Roadmap, user) -> list[IndicatorTrend]:
    """Every indicator of ``roadmap`` with its actual values per reporting period, preceded by
    its values in the same owner's roadmaps of the years just before, where it was tracked too
    (``_trend_keys``: a linked indicator's assessment figure, or its name and unit), so a chart
    shows the trend over years.  Consecutive: the chain stops at the first earlier year with no
    matching indicator in a roadmap the user may see; at most ``TREND_YEARS`` years in all.
    Four queries, whatever the number of indicators, roadmaps and years."""
    from accounts.scoping import VIEW

    indicators = list(
        Indicator.objects.filter(activity__task__goal__roadmap=roadmap)
        .select_related("activity")
        .prefetch_related("actuals")
    )
    if not indicators:
        return []
    owner = (
        {"school_id": roadmap.school_id}
        if roadmap.school_id
        else {"owner_municipality_id": roadmap.owner_municipality_id}
    )
    earlier_roadmaps = Roadmap.objects.restrict(user, VIEW).filter(
        **owner, year__lt=roadmap.year, year__gt=roadmap.year - TREND_YEARS
    )
    earlier = (
        Indicator.objects.filter(activity__task__goal__roadmap__in=earlier_roadmaps)
        .select_related("activity__task__goal__roadmap")
        .prefetch_related("actuals")
        .order_by("activity__task__goal__roadmap__start_date", "activity__task__goal__roadmap_id", "id")
    )
    by_year: dict[int, list[tuple[set, Indicator]]] = {}
    for other in earlier:
        by_year.setdefault(other.activity.task.goal.roadmap.year, []).append((_trend_keys(other), other))

    def points(source_roadmap: Roadmap, matched: list[Indicator]) -> dict:
        values: dict = {}
        for ind in matched:
            for a in ind.actuals.all():
                values.setdefault(a.period_start, float(a.value))
        return {p.start: (p, values.get(p.start), source_roadmap.year) for p in roadmap_periods(source_roadmap)}

    trends = []
    for indicator in indicators:
        keys = _trend_keys(indicator)
        chain: list[dict] = []  # newest first
        year = roadmap.year - 1
        while year in by_year:
            matched = [other for other_keys, other in by_year[year] if keys & other_keys]
            if not matched:
                break
            per_roadmap: dict[int, tuple[Roadmap, list[Indicator]]] = {}
            for other in matched:
                r = other.activity.task.goal.roadmap
                per_roadmap.setdefault(r.pk, (r, []))[1].append(other)
            merged: dict = {}
            for r, inds in per_roadmap.values():
                for start, point in points(r, inds).items():
                    merged.setdefault(start, point)
            chain.append(merged)
            year -= 1
        own = points(roadmap, [indicator])
        # Oldest first; where periods of two years start on the same day the later roadmap's wins.
        combined: dict = {}
        for part in [*reversed(chain), own]:
            combined.update(part)
        rows = [combined[start] for start in sorted(combined)]
        sections: list[tuple[int, int]] = []
        for n, (_period, _value, y) in enumerate(rows):
            if not sections or sections[-1][1] != y:
                sections.append((n, y))
        own_values = [v for _p, v, y in rows if y == roadmap.year and v is not None]
        trends.append(
            IndicatorTrend(
                indicator=indicator,
                periods=[p for p, _v, _y in rows],
                values=[v for _p, v, _y in rows],
                sections=sections,
                latest=own_values[-1] if own_values else None,
            )
        )
    return trends


def overdue_activities(roadmap_qs) -> QuerySet:
    """Activities past their due date and neither done nor cancelled."""
    return (
        Activity.objects.filter(task__goal__roadmap__in=roadmap_qs, due_date__lt=timezone.localdate())
        .exclude(progress_status__in=[ActivityStatus.DONE, ActivityStatus.CANCELLED])
        .select_related("task__goal__roadmap__school", "task__goal__roadmap__owner_municipality")
        .order_by("due_date")
    )


def municipality_summary(roadmaps, states: dict) -> list[dict]:
    """Per municipality: roadmaps, completion share, overdue activities, late reports."""
    groups: dict = {}
    for r in roadmaps:
        muni = r.school.municipality if r.school_id else r.owner_municipality
        g = groups.setdefault(
            muni.pk, {"municipality": muni, "roadmaps": 0, "planned": 0, "done": 0, "overdue": 0, "late": 0}
        )
        g["roadmaps"] += 1
        g["planned"] += r.n_activities - r.n_cancelled
        g["done"] += r.n_done
        g["overdue"] += r.n_overdue
        g["late"] += bool(states.get(r.pk, {}).get("late"))
    for g in groups.values():
        g["completion"] = g["done"] / g["planned"] if g["planned"] else None
    return sorted(groups.values(), key=lambda g: g["municipality"].name)


# --- Figures: one selector per figure (tests/test_figures.py) ---------------------------


def _activities_of_school_roadmaps(year: int, school_ref: str):
    return Activity.objects.filter(task__goal__roadmap__school=OuterRef(school_ref), task__goal__roadmap__year=year)


def with_roadmap_progress(schools: QuerySet, year: int, school_ref: str = "pk") -> QuerySet:
    """Schools annotated with their roadmap progress of ``year``: ``rm_planned`` (activities of
    their roadmaps not cancelled), ``rm_done`` and ``roadmap_progress`` = done ÷ planned (NULL with
    nothing planned) — summed over the school's roadmaps of the year, never averaged; one query."""
    from django.db.models import Case, F, FloatField, Func, IntegerField, Subquery, When
    from django.db.models.functions import Cast, Coalesce

    def count(qs):
        counted = qs.order_by().values("task__goal__roadmap__school")
        return Coalesce(
            Subquery(counted.annotate(n=Func("pk", function="COUNT")).values("n"), output_field=IntegerField()), 0
        )

    activities = _activities_of_school_roadmaps(year, school_ref)
    annotated = schools.annotate(
        rm_planned=count(activities.exclude(progress_status=ActivityStatus.CANCELLED)),
        rm_done=count(activities.filter(progress_status=ActivityStatus.DONE)),
    )
    return annotated.annotate(
        roadmap_progress=Case(
            When(rm_planned__gt=0, then=Cast(F("rm_done"), FloatField()) / Cast(F("rm_planned"), FloatField())),
            default=None,
            output_field=FloatField(),
        )
    )


def school_roadmap_progress(school, year: int) -> float | None:
    """Done ÷ planned activities of the school's roadmaps of ``year`` (as ``with_roadmap_progress``)."""
    from schools.models import School

    return with_roadmap_progress(School.objects.filter(pk=school.pk), year).values_list("roadmap_progress", flat=True)[
        0
    ]
