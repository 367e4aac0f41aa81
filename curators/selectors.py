"""Reads of the curators app: the curator's schools, workload, overdue recommendations and
the visit planner, each a handful of set-based queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Count, F, Func, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.scoping import curated_schools
from core.compiled import prepared
from core.years import current_academic_year
from curators.models import CuratorAssignment, Recommendation, RecommendationStatus, Visit
from schools.models import RiskAssessment, RiskLevel, SchoolStatus
from schools.selectors import LEVEL_WEIGHT
from skills.selectors import deficit_counts
from socialcontext.selectors import objectivity_checks

# A skill deficit in the school's latest task-level results raises its priority (TASKS.md §4):
# DEFICIT_WEIGHT each, counted up to DEFICIT_CAP deficits.
DEFICIT_WEIGHT = 2
DEFICIT_CAP = 10


def overdue_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": RecommendationStatus.OPEN, f"{prefix}due_date__lt": timezone.localdate()})


def overdue_recommendations(user) -> QuerySet:
    return (
        Recommendation.objects.restrict(user)
        .filter(overdue_q())
        .select_related("visit__school", "visit__curator", "owner_user")
    )


def _risk_summary(school_ids, year: int) -> dict[int, dict]:
    """Per school: high and medium counts and the top risks (high first)."""
    summary: dict[int, dict] = {sid: {"high": 0, "medium": 0, "top": []} for sid in school_ids}
    rows = (
        RiskAssessment.objects.filter(school_id__in=school_ids, year=year, level__in=[RiskLevel.HIGH, RiskLevel.MEDIUM])
        .select_related("factor")
        .order_by("school_id", "level", "factor__position")
    )
    for a in rows:
        s = summary[a.school_id]
        s[a.level] += 1
        if len(s["top"]) < 3:
            s["top"].append(a)
    return summary


def _statuses_now(school_ids, year: int) -> dict[int, list[SchoolStatus]]:
    result: dict[int, list] = {sid: [] for sid in school_ids}
    qs = SchoolStatus.objects.filter(school_id__in=school_ids, year_from__lte=year).filter(
        Q(year_to__isnull=True) | Q(year_to__gte=year)
    )
    for st in qs:
        result[st.school_id].append(st)
    return result


def school_rows(schools: QuerySet, year: int | None = None) -> list[dict]:
    """One row per school: statuses now, top risks, open/overdue recommendations, days since
    the last visit, and a planner score (risk, days, overdue items)."""
    year = year or current_academic_year()
    today = timezone.localdate()
    annotated = list(with_visit_figures(schools.select_related("municipality")))
    ids = [s.pk for s in annotated]
    risks = _risk_summary(ids, year)
    statuses = _statuses_now(ids, year)
    checks = objectivity_checks(ids)  # results read against context: «check objectivity» items
    deficits = deficit_counts(ids)  # skill deficits of the latest task-level results
    rows = []
    for s in annotated:
        days = (today - s.last_visit).days if s.last_visit else None
        r = risks[s.pk]
        score = _score(r["high"], r["medium"], days, s.overdue_recs, deficits.get(s.pk, 0))
        rows.append(
            {
                "school": s,
                "statuses": statuses[s.pk],
                "risk_high": r["high"],
                "risk_medium": r["medium"],
                "top_risks": r["top"],
                "open_recs": s.open_recs,
                "overdue_recs": s.overdue_recs,
                "last_visit": s.last_visit,
                "days_since_visit": days,
                "score": score,
                "objectivity_check": checks.get(s.pk),
                "skill_deficits": deficits.get(s.pk, 0),
            }
        )
    return rows


def visit_planner(schools: QuerySet, year: int | None = None) -> list[dict]:
    """Schools ranked for the next visits: high risks, long without a visit, overdue items, skill
    deficits (each with the events and materials recommended for them)."""
    from skills.selectors import help_for_schools

    rows = sorted(school_rows(schools, year), key=lambda r: (-r["score"], r["school"].short_name))
    helps = help_for_schools([r["school"] for r in rows if r["skill_deficits"]])
    for r in rows:
        r["skill_help"] = helps.get(r["school"].pk)
    return rows


def _count(qs: QuerySet, field: str = "school") -> Subquery:
    """A correlated COUNT(*) of ``qs`` per outer row (no join fan-out)."""
    from django.db.models import Func, IntegerField

    counted = qs.filter(**{field: OuterRef("pk")}).order_by().values(field)
    counted = counted.annotate(n=Func("pk", function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _score(high: int, medium: int, days: int | None, overdue: int, deficits: int = 0) -> int:
    risk_score = high * LEVEL_WEIGHT["high"] + medium * LEVEL_WEIGHT["medium"]
    visit_score = min(days if days is not None else 365, 365) // 15
    return risk_score * 2 + visit_score + overdue * 5 + min(deficits, DEFICIT_CAP) * DEFICIT_WEIGHT


def planner_summary(
    schools: QuerySet | Callable[[], QuerySet], year: int | None = None, limit: int = 5, *, key: tuple | None = None
) -> tuple[list[dict], int]:
    """The home page's part of the visit planner: the ``limit`` first rows of
    ``visit_planner`` and how many of the schools were not visited for 60+ days — scored,
    ranked and counted by the database in one query (``_score`` in SQL, the count a window
    over the same rows), so the page does the same work for 10 schools or 3,000.  The rows
    come from that query too: the school and the planner's figures (``score``,
    ``risk_high``, ``risk_medium``, ``overdue_recs``, ``skill_deficits``, ``last_visit``,
    ``days_since_visit``),
    not the full planner row (statuses, top risks, objectivity prompts: the planner page).
    ``key``: what ``schools`` depends on (the reader's scope), to keep the query compiled
    (core/compiled.py ``prepared``).  ``schools`` may be a function that builds the queryset:
    with a ``key`` it is then built only when the query is prepared (or checked), not on
    every request."""
    year = year or current_academic_year()
    today = timezone.localdate()

    def head():
        return _planner_top(schools() if callable(schools) else schools, year, today, limit)

    if key is None:
        top = list(head())
    else:
        top = list(prepared(("curators.planner", *key, year, today, limit), head))
    if not top:
        return [], 0
    rows = [
        {
            "school": s,
            "score": s.score,
            "risk_high": s.n_high,
            "risk_medium": s.n_medium,
            "overdue_recs": s.n_overdue,
            "skill_deficits": s.n_deficits,
            "last_visit": s.last_visit,
            "days_since_visit": (today - s.last_visit).days if s.last_visit else None,
        }
        for s in top
    ]
    return rows, top[0].unvisited


def _planner_top(schools: QuerySet, year: int, today, limit: int) -> QuerySet:
    """The planner's first ``limit`` schools of ``schools``, scored and ranked in SQL."""
    from django.db import connection
    from django.db.models import Case, ExpressionWrapper, When, Window
    from django.db.models.functions import Cast, Collate, Floor, Least

    from schools.models import School
    from skills.models import SkillResult

    risks = RiskAssessment.objects.filter(year=year)
    latest_skills = (
        SkillResult.objects.filter(school=OuterRef("school")).order_by().values("school").annotate(y=Max("year"))
    )
    deficits = SkillResult.objects.filter(deficit=True, year=Subquery(latest_skills.values("y")))
    open_recs = Recommendation.objects.filter(status=RecommendationStatus.OPEN, due_date__lt=today)
    facts = School.objects.filter(id__in=schools.values("id")).annotate(
        last_visit=last_visit_subquery(),
        n_high=_count(risks.filter(level=RiskLevel.HIGH)),
        n_medium=_count(risks.filter(level=RiskLevel.MEDIUM)),
        n_overdue=_count(open_recs, "visit__school"),
        n_deficits=_count(deficits),
    )
    never = Q(last_visit__isnull=True)
    days = _DaysSince(F("last_visit"), today)
    # _score: risks × 2 + min(days, 365) // 15 (never visited: 365) + overdue × 5 + min(deficits, cap) × weight
    visit_part = Case(
        When(never, then=Value(365 // 15)),
        default=Cast(Floor(Least(days, Value(365)) / Value(15.0)), IntegerField()),
        output_field=IntegerField(),
    )
    score = ExpressionWrapper(
        (F("n_high") * LEVEL_WEIGHT["high"] + F("n_medium") * LEVEL_WEIGHT["medium"]) * 2
        + visit_part
        + F("n_overdue") * 5
        + Least(F("n_deficits"), Value(DEFICIT_CAP)) * DEFICIT_WEIGHT,
        output_field=IntegerField(),
    )
    unvisited = Window(Count("pk", filter=never | Q(last_visit__lt=today - datetime.timedelta(days=60))))
    # names in code-point order, as Python sorts them (the database's collation would not)
    name = Collate("short_name", "C") if connection.vendor == "postgresql" else F("short_name")
    return facts.annotate(score=score, unvisited=unvisited).order_by(F("score").desc(), name, "pk")[:limit]


class _DaysSince(Func):
    """Whole days from a date column to a given date (``today`` minus the column)."""

    output_field = IntegerField()

    def __init__(self, column, today):
        super().__init__(Value(today), column)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def my_schools(user, year: int | None = None) -> list[dict]:
    """The schools ``user`` is the curator of (``accounts.scoping.curated_schools``)."""
    year = year or current_academic_year()
    return sorted(school_rows(curated_schools(user, year), year), key=lambda r: r["school"].short_name)


def curators_at_work(user, year: int | None = None) -> int:
    """How many curators hold an assignment in the user's scope this year (the number of
    rows of ``curator_workload``, in one query)."""
    return curator_assignments_at_work(user, year).count()


def curator_assignments_at_work(user, year: int | None = None) -> QuerySet:
    """The distinct curators (``curator_id``) of the active assignments of ``year`` in the
    user's scope: what ``curators_at_work`` counts."""
    year = year or current_academic_year()
    assignments = CuratorAssignment.objects.restrict(user).filter(year=year, is_active=True)
    return assignments.order_by().values("curator_id").distinct()


def curator_workload(user, year: int | None = None) -> list[dict]:
    """Curators working in the user's scope: schools held this year, visits and open items."""
    year = year or current_academic_year()
    first, _last = (f"{year}-09-01", f"{year + 1}-08-31")
    assignments = CuratorAssignment.objects.restrict(user).filter(year=year, is_active=True)
    rows = (
        assignments.values("curator_id", "curator__last_name", "curator__first_name", "curator__patronymic")
        .annotate(schools=Count("school_id", distinct=True))
        .order_by("curator__last_name", "curator__first_name")
    )
    curator_ids = [r["curator_id"] for r in rows]
    visits = dict(
        Visit.objects.restrict(user)
        .filter(curator_id__in=curator_ids, date__gte=first)
        .values("curator_id")
        .annotate(n=Count("id"))
        .values_list("curator_id", "n")
    )
    last = dict(
        Visit.objects.restrict(user)
        .filter(curator_id__in=curator_ids, date__lte=timezone.localdate())
        .values("curator_id")
        .annotate(d=Max("date"))
        .values_list("curator_id", "d")
    )
    open_recs = dict(
        open_recommendations(Recommendation.objects.restrict(user))
        .filter(visit__curator_id__in=curator_ids)
        .values("visit__curator_id")
        .annotate(n=Count("id"))
        .values_list("visit__curator_id", "n")
    )
    overdue = dict(
        Recommendation.objects.restrict(user)
        .filter(overdue_q(), visit__curator_id__in=curator_ids)
        .values("visit__curator_id")
        .annotate(n=Count("id"))
        .values_list("visit__curator_id", "n")
    )
    result = []
    for r in rows:
        cid = r["curator_id"]
        name = " ".join(p for p in (r["curator__last_name"], r["curator__first_name"], r["curator__patronymic"]) if p)
        result.append(
            {
                "curator_id": cid,
                "name": name,
                "schools": r["schools"],
                "visits": visits.get(cid, 0),
                "last_visit": last.get(cid),
                "open_recs": open_recs.get(cid, 0),
                "overdue_recs": overdue.get(cid, 0),
            }
        )
    return result


# --- Figures: one selector per figure (tests/test_figures.py) ---------------------------


def open_q(prefix: str = "") -> Q:
    """An open recommendation: the school has not marked it done yet (overdue ones included)."""
    return Q(**{f"{prefix}status": RecommendationStatus.OPEN})


def open_recommendations(recommendations: QuerySet | None = None) -> QuerySet:
    """Open recommendations among ``recommendations`` (default: all)."""
    qs = Recommendation.objects.all() if recommendations is None else recommendations
    return qs.filter(open_q())


def last_visit_subquery(school_ref: str = "pk") -> Subquery:
    """Per school: the date of its last visit that has taken place (never one in the future)."""
    visits = Visit.objects.filter(school=OuterRef(school_ref), date__lte=timezone.localdate()).order_by("-date")
    return Subquery(visits.values("date")[:1])


def with_visit_figures(schools: QuerySet) -> QuerySet:
    """Schools annotated with ``last_visit``, ``open_recs`` and ``overdue_recs`` — correlated
    subqueries, so a list of any length costs one query."""
    return schools.annotate(
        last_visit=last_visit_subquery(),
        open_recs=_count(open_recommendations(), "visit__school"),
        overdue_recs=_count(Recommendation.objects.filter(overdue_q()), "visit__school"),
    )


def school_visit_figures(school) -> dict:
    """``last_visit``, ``open_recs`` and ``overdue_recs`` of one school (as ``with_visit_figures``)."""
    from schools.models import School

    def build(sid):
        return with_visit_figures(School.objects.filter(pk=sid)).values("last_visit", "open_recs", "overdue_recs")

    (row,) = prepared(("curators.visit_figures", timezone.localdate()), build, school.pk)
    return row


def current_curators_subquery(year: int, school_ref: str = "pk"):
    """Per school: its curators in force in ``year``, «Фамилия И.О.» joined by «, » (one
    query for a whole list: a string aggregate in the database)."""
    from django.conf import settings
    from django.db.models import Case, CharField, Value, When
    from django.db.models.functions import Concat, Substr

    assignments = CuratorAssignment.objects.filter(school=OuterRef(school_ref), year=year, is_active=True).order_by()

    def initial(field):
        return Case(
            When(**{field: ""}, then=Value("")),
            default=Concat(Substr(field, 1, 1), Value(".")),
            output_field=CharField(),
        )

    name = Concat(
        "curator__last_name",
        Value(" "),
        initial("curator__first_name"),
        initial("curator__patronymic"),
        output_field=CharField(),
    )
    if settings.IS_POSTGRES:
        from django.contrib.postgres.aggregates import StringAgg

        agg = StringAgg(name, delimiter=", ", ordering=("curator__last_name", "curator__first_name"))
    else:
        from django.db.models import Aggregate

        class GroupConcat(Aggregate):
            function = "GROUP_CONCAT"
            template = "%(function)s(%(expressions)s, ', ')"

        agg = GroupConcat(name, output_field=CharField())
    rows = assignments.values("school").annotate(names=agg).values("names")
    return Subquery(rows, output_field=CharField())
