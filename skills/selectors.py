"""Reads of the skills app, one per figure: the pages, the school card, the visit planner, the
report sections and the API all call these (tests/skills/test_consistency.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, QuerySet
from django.utils import timezone

from accounts.scoping import VIEW
from core.years import academic_year_bounds
from skills.models import MunicipalSkillResult, PlanTask, Skill, SkillResult, TaskPlan, TaskResult

# --- the stored figures (TASKS.md §3) --------------------------------------------------------------


def task_results(user) -> QuerySet:
    return TaskResult.objects.restrict(user, VIEW).select_related("school", "procedure", "subject", "skill")


def skill_results(user) -> QuerySet:
    return SkillResult.objects.restrict(user, VIEW).select_related("school", "procedure", "subject", "skill")


def municipal_skills(user) -> QuerySet:
    return MunicipalSkillResult.objects.restrict(user, VIEW).select_related(
        "municipality", "procedure", "subject", "skill"
    )


def plans(user=None) -> QuerySet:
    qs = TaskPlan.objects.all() if user is None else TaskPlan.objects.restrict(user, VIEW)
    return qs.select_related("procedure", "subject")


def plan_tasks(plan: TaskPlan) -> list[PlanTask]:
    return list(plan.tasks.select_related("skill").order_by("order"))


def skills_catalogue(user=None) -> QuerySet:
    qs = Skill.objects.all() if user is None else Skill.objects.restrict(user, VIEW)
    return qs.select_related("subject")


# --- a school's deficits ---------------------------------------------------------------------------


def latest_year(school) -> int | None:
    return SkillResult.objects.filter(school=school).aggregate(y=Max("year"))["y"]


def school_deficits(school, year: int | None = None) -> list[SkillResult]:
    """The school's skill deficits of ``year`` (default: its latest year with skill figures),
    largest gap × participants first: each with both completions, the gap and the tasks."""
    year = latest_year(school) if year is None else year
    if year is None:
        return []
    rows = SkillResult.objects.filter(school=school, year=year, deficit=True).select_related(
        "procedure", "subject", "skill"
    )
    return sorted(rows, key=lambda r: (-r.gap * r.participants, r.subject.name, r.grade))


def deficit_counts(school_ids) -> dict[int, int]:
    """School id → its number of skill deficits in its latest year with skill figures (the
    visit planner's reason and its weight)."""
    latest = dict(
        SkillResult.objects.filter(school_id__in=school_ids)
        .order_by()
        .values("school_id")
        .annotate(y=Max("year"))
        .values_list("school_id", "y")
    )
    if not latest:
        return {}
    counts: dict[int, int] = defaultdict(int)
    rows = SkillResult.objects.filter(school_id__in=list(latest), deficit=True, year__in=set(latest.values()))
    for school_id, year in rows.values_list("school_id", "year"):
        if latest[school_id] == year:
            counts[school_id] += 1
    return dict(counts)


# --- the skills profile (skills × years) ----------------------------------------------------------


@dataclass
class ProfileRow:
    skill: Skill
    subject: str
    cells: dict = field(default_factory=dict)  # year → {"completion", "municipal", "deficit", "tasks", "grades"}
    by_year: list = field(default_factory=list)  # the cells in the order of the profile's years (None: no figure)


def school_profile(school, procedure_id=None, subject_id=None) -> dict:
    """The school's skills × years: per skill (a thread across grades) and year, the completion
    pooled over the school's grades, the municipality's beside it, the tasks behind it and
    whether any grade has a deficit."""
    qs = SkillResult.objects.filter(school=school).select_related("skill__subject", "subject", "procedure")
    if procedure_id:
        qs = qs.filter(procedure_id=procedure_id)
    if subject_id:
        qs = qs.filter(subject_id=subject_id)
    muni = MunicipalSkillResult.objects.filter(municipality_id=school.municipality_id)
    if procedure_id:
        muni = muni.filter(procedure_id=procedure_id)
    if subject_id:
        muni = muni.filter(subject_id=subject_id)
    grades_of: dict = defaultdict(set)
    pooled: dict = defaultdict(lambda: [0.0, 0.0, False, [], set()])
    skills = {}
    for r in qs:
        cell = pooled[(r.skill_id, r.year)]
        cell[0] += r.points
        cell[1] += r.possible
        cell[2] = cell[2] or r.deficit
        cell[3].append(f"{r.procedure.code} {r.grade} кл.: {r.tasks}")
        cell[4].add(r.grade)
        grades_of[(r.skill_id, r.year)].add((r.procedure_id, r.grade))
        skills[r.skill_id] = r.skill
    mpooled: dict = defaultdict(lambda: [0.0, 0.0])
    for m in muni.filter(skill_id__in=list(skills)):
        if (m.procedure_id, m.grade) in grades_of.get((m.skill_id, m.year), ()):
            cell = mpooled[(m.skill_id, m.year)]
            cell[0] += m.points
            cell[1] += m.possible
    years = sorted({y for _s, y in pooled})
    rows = []
    for skill_id, skill in skills.items():
        row = ProfileRow(skill=skill, subject=skill.subject.name)
        for y in years:
            cell = pooled.get((skill_id, y))
            if cell is None or not cell[1]:
                continue
            m = mpooled.get((skill_id, y))
            row.cells[y] = {
                "completion": 100.0 * cell[0] / cell[1],
                "municipal": 100.0 * m[0] / m[1] if m and m[1] else None,
                "deficit": cell[2],
                "tasks": "; ".join(cell[3]),
                "grades": sorted(cell[4]),
            }
        row.by_year = [row.cells.get(y) for y in years]
        rows.append(row)
    rows.sort(key=lambda r: (r.subject, r.skill.key))
    return {"years": years, "rows": rows}


def profile_chart(profile: dict, title: str) -> str:
    """The skills × years heat map as SVG (core/charts.py)."""
    from core.charts import heat_map

    rows = [
        (
            row.skill.text,
            [
                (
                    None if y not in row.cells else row.cells[y]["completion"],
                    None if y not in row.cells else row.cells[y]["municipal"],
                    bool(row.cells.get(y, {}).get("deficit")),
                )
                for y in profile["years"]
            ],
        )
        for row in profile["rows"]
    ]
    from core.years import academic_year_label

    return heat_map([academic_year_label(y) for y in profile["years"]], rows, title=title)


# --- targeted help (TASKS.md §4) -----------------------------------------------------------------


@dataclass
class Recommended:
    item: object  # an Event or a Material
    score: float = 0.0  # Σ gap × participants over the deficits it covers (events)
    covers: list = field(default_factory=list)  # the SkillResult deficits it covers


def _latest_deficits(school_ids) -> dict[int, list[SkillResult]]:
    """School id → its deficits in its latest year with skill figures (largest gap × participants first)."""
    latest = dict(
        SkillResult.objects.filter(school_id__in=school_ids)
        .order_by()
        .values("school_id")
        .annotate(y=Max("year"))
        .values_list("school_id", "y")
    )
    found: dict[int, list] = defaultdict(list)
    rows = SkillResult.objects.filter(
        school_id__in=list(latest), deficit=True, year__in=set(latest.values())
    ).select_related("procedure", "subject", "skill")
    for r in rows:
        if latest[r.school_id] == r.year:
            found[r.school_id].append(r)
    for items in found.values():
        items.sort(key=lambda r: (-r.gap * r.participants, r.subject.name, r.grade))
    return dict(found)


def _events_for(schools: dict, deficits: dict[int, list], now) -> dict[int, list[Recommended]]:
    """Per school: events tagged with a skill of its deficits, not yet started, open to it (its
    municipality's or its region's), nobody of it registered; by Σ gap × participants."""
    from events.models import Event, EventStatus, Registration, RegistrationStatus

    skill_ids = {d.skill_id for items in deficits.values() for d in items}
    if not skill_ids:
        return {}
    events = list(
        Event.objects.filter(skills__in=skill_ids, start__gt=now)
        .exclude(status=EventStatus.CANCELLED)
        .distinct()
        .prefetch_related("skills")
        .select_related("municipality", "region")
    )
    taken = set(
        Registration.objects.filter(school_id__in=list(deficits), event__in=[e.pk for e in events])
        .exclude(status=RegistrationStatus.CANCELLED)
        .values_list("school_id", "event_id")
    )
    result: dict[int, list] = {}
    for school_id, items in deficits.items():
        school = schools[school_id]
        by_skill: dict[int, list] = defaultdict(list)
        for d in items:
            by_skill[d.skill_id].append(d)
        found = []
        for e in events:
            open_to = e.municipality_id == school.municipality_id or (
                e.region_id is not None and e.region_id == school.municipality.region_id
            )
            if not open_to or (school_id, e.pk) in taken:
                continue
            covers = [d for sk in e.skills.all() for d in by_skill.get(sk.pk, ())]
            if covers:
                found.append(Recommended(e, sum(d.gap * d.participants for d in covers), covers))
        found.sort(key=lambda r: (-r.score, r.item.start, r.item.pk))
        result[school_id] = found
    return result


def _materials_for(schools: dict, deficits: dict[int, list], user=None) -> dict[int, list[Recommended]]:
    """Per school: bank materials tagged with a skill of its deficits, newest first — of the
    bank open to the school (its region's: the municipalities' and the regional part)."""
    from events.models import Material

    skill_ids = {d.skill_id for items in deficits.values() for d in items}
    if not skill_ids:
        return {}
    qs = Material.objects.filter(skills__in=skill_ids)
    if user is not None:
        qs = qs.restrict(user, VIEW)
    materials = list(
        qs.distinct().select_related("municipality").prefetch_related("skills").order_by("-created_at", "-pk")
    )
    result = {}
    for school_id, items in deficits.items():
        region = schools[school_id].municipality.region_id
        by_skill: dict[int, list] = defaultdict(list)
        for d in items:
            by_skill[d.skill_id].append(d)
        found = []
        for m in materials:
            if m.region_id != region and (m.municipality is None or m.municipality.region_id != region):
                continue
            covers = [d for sk in m.skills.all() for d in by_skill.get(sk.pk, ())]
            if covers:
                found.append(Recommended(m, sum(d.gap * d.participants for d in covers), covers))
        result[school_id] = found
    return result


def help_for_schools(schools, user=None, now=None) -> dict[int, dict]:
    """School id → {"year", "deficits", "events", "materials"} for ``schools`` (their latest
    year with skill figures): a fixed number of queries whatever their number (the planner)."""
    schools = {s.pk: s for s in schools}
    deficits = _latest_deficits(list(schools))
    now = now or timezone.now()
    events = _events_for(schools, deficits, now)
    materials = _materials_for(schools, deficits, user)
    return {
        sid: {
            "year": items[0].year,
            "deficits": items,
            "events": events.get(sid, []),
            "materials": materials.get(sid, []),
        }
        for sid, items in deficits.items()
    }


def recommended_events(school, year: int | None = None, now=None) -> list[Recommended]:
    return school_help(school, year, now=now)["events"]


def recommended_materials(school, year: int | None = None, user=None) -> list[Recommended]:
    return school_help(school, year, user=user)["materials"]


def school_help(school, year: int | None = None, user=None, now=None) -> dict:
    """Everything the card, the profile page, the planner and the school report show of a
    school's deficits: those of ``year`` (default: its latest year with skill figures), the
    events and materials recommended for them (``help_for_schools``: one truth)."""
    latest = latest_year(school)
    year = latest if year is None else year
    empty = {"year": year, "deficits": [], "events": [], "materials": []}
    if year is None:
        return empty
    if year == latest:
        return help_for_schools([school], user=user, now=now).get(school.pk, empty)
    found = school_deficits(school, year)
    if not found:
        return empty
    deficits = {school.pk: found}
    now = now or timezone.now()
    return {
        "year": year,
        "deficits": deficits[school.pk],
        "events": _events_for({school.pk: school}, deficits, now).get(school.pk, []),
        "materials": _materials_for({school.pk: school}, deficits, user).get(school.pk, []),
    }


# --- the municipality's weak skills ------------------------------------------------------------


def weak_skills(municipality, year: int | None = None) -> list[MunicipalSkillResult]:
    qs = MunicipalSkillResult.objects.filter(municipality=municipality)
    if year is None:
        year = qs.aggregate(y=Max("year"))["y"]
    if year is None:
        return []
    return list(
        qs.filter(year=year, weak=True)
        .select_related("procedure", "subject", "skill")
        .order_by("completion", "subject__name", "grade")
    )


# --- did the help help? (TASKS.md §5) --------------------------------------------------------


@dataclass
class EffectSchool:
    school: object
    before: float
    after: float | None
    attended: bool

    @property
    def delta(self) -> float | None:
        return None if self.after is None else self.after - self.before


@dataclass
class HelpEffect:
    year: int
    helped: list = field(default_factory=list)  # EffectSchool, attended
    others: list = field(default_factory=list)
    left_out: list = field(default_factory=list)  # without results in Y+1

    @staticmethod
    def _mean(items) -> float | None:
        values = [s.delta for s in items]
        return sum(values) / len(values) if values else None

    @property
    def helped_mean(self):
        return self._mean(self.helped)

    @property
    def others_mean(self):
        return self._mean(self.others)

    @property
    def difference(self):
        a, b = self.helped_mean, self.others_mean
        return None if a is None or b is None else a - b


def _pooled(municipality, procedure_id, subject_id, skill_id, year) -> dict[int, float]:
    """School id → its skill completion of ``year`` pooled over all its grades."""
    sums: dict[int, list] = defaultdict(lambda: [0.0, 0.0])
    rows = SkillResult.objects.filter(
        municipality=municipality, procedure_id=procedure_id, subject_id=subject_id, skill_id=skill_id, year=year
    ).values_list("school_id", "points", "possible")
    for school_id, points, possible in rows:
        sums[school_id][0] += points
        sums[school_id][1] += possible
    return {k: 100.0 * p / q for k, (p, q) in sums.items() if q}


def help_effect(municipality, procedure_id: int, subject_id: int, skill_id: int, year: int) -> HelpEffect:
    """The schools with a deficit in the skill in ``year`` (any grade), split into those where
    someone attended an event tagged with the skill held in ``year + 1`` and the rest; Δ = the
    skill completion pooled over grades in ``year + 1`` − in ``year`` (schools without results
    in ``year + 1`` left out).  A comparison, not a proof of cause."""
    from events.models import Registration
    from events.selectors import held_q
    from schools.models import School

    deficit_ids = set(
        SkillResult.objects.filter(
            municipality=municipality,
            procedure_id=procedure_id,
            subject_id=subject_id,
            skill_id=skill_id,
            year=year,
            deficit=True,
        ).values_list("school_id", flat=True)
    )
    result = HelpEffect(year=year)
    if not deficit_ids:
        return result
    first, last = academic_year_bounds(year + 1)
    attended = set(
        Registration.objects.filter(
            school_id__in=deficit_ids,
            attended=True,
            event__skills=skill_id,
            event__start__date__gte=first,
            event__start__date__lte=last,
        )
        .filter(held_q(prefix="event__"))
        .values_list("school_id", flat=True)
    )
    before = _pooled(municipality, procedure_id, subject_id, skill_id, year)
    after = _pooled(municipality, procedure_id, subject_id, skill_id, year + 1)
    schools = School.objects.in_bulk(list(deficit_ids))
    for school_id in sorted(deficit_ids, key=lambda i: schools[i].sort_name):
        item = EffectSchool(schools[school_id], before[school_id], after.get(school_id), school_id in attended)
        if item.after is None:
            result.left_out.append(item)
        elif item.attended:
            result.helped.append(item)
        else:
            result.others.append(item)
    return result


def help_effect_options(municipality) -> list[dict]:
    """The (procedure, subject, skill, year) with a deficit in year Y and skill figures in Y+1 in
    the municipality: what the «did the help help» page offers."""
    with_deficits = (
        SkillResult.objects.filter(municipality=municipality, deficit=True)
        .order_by()
        .values("procedure_id", "subject_id", "skill_id", "year")
        .distinct()
    )
    years_with = set(
        SkillResult.objects.filter(municipality=municipality)
        .order_by()
        .values_list("procedure_id", "subject_id", "skill_id", "year")
        .distinct()
    )
    return [
        o for o in with_deficits if (o["procedure_id"], o["subject_id"], o["skill_id"], o["year"] + 1) in years_with
    ]
