"""The figures of TASKS.md §3, set-based in the database (PostgreSQL and SQLite): the task-score
arrays of the results are unnested once per analysed year and summed per (school, work, slot);
every figure follows from those sums with a handful of INSERT … SELECT statements.

Over the rows that have task scores (``task_scores`` is NULL otherwise):
- task completion = 100 · Σ task score ÷ (rows · task maximum), per school and pooled over the
  municipality;
- skill completion = 100 · Σ scores of the tasks with the skill ÷ Σ (rows · their maxima);
- a skill deficit: participants ≥ 5, completion ≤ 50 and ≥ 15 points below the municipality's;
- a municipal weak skill: municipal completion < 50.

An empty task cell is 0 points (it counts in the rows, not in the sum).  Outputs of the analysed
years are replaced whole, inside the results analysis's transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection

from assessment.models import Result
from schools.models import School
from skills.models import MunicipalSkillResult, PlanTask, SkillResult, TaskPlan, TaskResult, label_sort_key

EPS = 1e-9
TEMP_TABLES = ("sk_sum", "sk_task", "sk_mtask", "sk_skill", "sk_mskill")


@dataclass(frozen=True)
class Thresholds:
    deficit_min_participants: int
    deficit_max_completion: float
    deficit_gap_points: float
    weak_completion: float

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(
            deficit_min_participants=settings.SKILLS_DEFICIT_MIN_PARTICIPANTS,
            deficit_max_completion=settings.SKILLS_DEFICIT_MAX_COMPLETION,
            deficit_gap_points=settings.SKILLS_DEFICIT_GAP_POINTS,
            weak_completion=settings.SKILLS_WEAK_COMPLETION,
        )

    def as_dict(self) -> dict:
        return asdict(self)


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _float(expr: str) -> str:
    return f"CAST({expr} AS {'double precision' if connection.vendor == 'postgresql' else 'REAL'})"


def _in(values) -> str:
    return "(" + ", ".join(str(int(v)) for v in values) + ")"


def on_analysis_computed(sender, run, years, **kwargs) -> dict:
    """Receiver of ``assessment.signals.analysis_computed``: the task figures of the run's years."""
    return compute(run.pk, years, Thresholds.from_settings())


def compute(run_id: int | None, years: list[int], th: Thresholds) -> dict:
    years = sorted({int(y) for y in years})
    if not years:
        return {}
    pg = connection.vendor == "postgresql"
    R, S = _t(Result), _t(School)
    P, T = _t(TaskPlan), _t(PlanTask)
    TR, SR, MR = _t(TaskResult), _t(SkillResult), _t(MunicipalSkillResult)
    ys = _in(years)
    key = ("year", "procedure_id", "subject_id", "grade")
    on = lambda a, b, cols=key: " AND ".join(f"{a}.{c} = {b}.{c}" for c in cols)  # noqa: E731
    run = "NULL" if run_id is None else str(int(run_id))
    with connection.cursor() as c:
        for table in TEMP_TABLES:
            c.execute(f"DROP TABLE IF EXISTS {table}")
        temp = "CREATE TEMP TABLE {name} ON COMMIT DROP AS" if pg else "CREATE TEMP TABLE {name} AS"
        if pg:
            unnest = "CROSS JOIN LATERAL unnest(r.task_scores) WITH ORDINALITY AS u(score, ord)"
            pos, score = "CAST(u.ord - 1 AS integer)", "u.score"
        else:
            unnest = ", json_each(r.task_scores) AS u"
            pos, score = "CAST(u.key AS INTEGER)", "u.value"
        # 1. Σ score and rows per (school, work, slot): the only pass over the results.
        c.execute(f"""{temp.format(name="sk_sum")}
            SELECT r.school_id, r.year, r.procedure_id, r.subject_id, r.grade, {pos} AS pos,
                   {_float(f"COALESCE(SUM({score}), 0)")} AS total, COUNT(*) AS cnt
            FROM {R} r {unnest}
            WHERE r.year IN {ys} AND r.task_scores IS NOT NULL
            GROUP BY r.school_id, r.year, r.procedure_id, r.subject_id, r.grade, {pos}""")
        # 2. Each task of each school's work: its rows (every array has slot 0) and Σ score.
        c.execute(f"""{temp.format(name="sk_task")}
            SELECT g.school_id, s.municipality_id, g.year, g.procedure_id, g.subject_id, g.grade,
                   t.label, t.position, t.max_score, t.skill_id, g.cnt AS n,
                   COALESCE(x.total, 0) AS total
            FROM sk_sum g
            JOIN {P} p ON {on("p", "g")}
            JOIN {T} t ON t.plan_id = p.id
            JOIN {S} s ON s.id = g.school_id
            LEFT JOIN sk_sum x ON x.school_id = g.school_id AND {on("x", "g")} AND x.pos = t.position
            WHERE g.pos = 0""")
        # 3. Pooled over the municipality.
        c.execute(f"""{temp.format(name="sk_mtask")}
            SELECT municipality_id, year, procedure_id, subject_id, grade, position, max_score,
                   SUM(total) AS total, SUM(n) AS n
            FROM sk_task GROUP BY municipality_id, year, procedure_id, subject_id, grade, position, max_score""")
        for table in (TR, SR, MR):
            c.execute(f"DELETE FROM {table} WHERE year IN {ys}")
        c.execute(f"""
            INSERT INTO {TR} (run_id, school_id, year, procedure_id, subject_id, grade, task, position,
                              max_score, skill_id, participants, points, possible, completion, municipal_completion)
            SELECT {run}, t.school_id, t.year, t.procedure_id, t.subject_id, t.grade, t.label, t.position,
                   t.max_score, t.skill_id, t.n, t.total, t.n * t.max_score,
                   100.0 * t.total / (t.n * t.max_score), 100.0 * m.total / (m.n * m.max_score)
            FROM sk_task t JOIN sk_mtask m ON m.municipality_id = t.municipality_id AND {on("m", "t")}
                 AND m.position = t.position""")
        tasks = c.rowcount
        # 4. Skills: the tasks of a skill in a work, per school and pooled.
        c.execute(f"""{temp.format(name="sk_skill")}
            SELECT school_id, municipality_id, year, procedure_id, subject_id, grade, skill_id,
                   MAX(n) AS n, SUM(total) AS points, SUM(n * max_score) AS possible
            FROM sk_task GROUP BY school_id, municipality_id, year, procedure_id, subject_id, grade, skill_id""")
        c.execute(f"""{temp.format(name="sk_mskill")}
            SELECT municipality_id, year, procedure_id, subject_id, grade, skill_id,
                   SUM(n) AS n, SUM(points) AS points, SUM(possible) AS possible, COUNT(*) AS schools
            FROM sk_skill GROUP BY municipality_id, year, procedure_id, subject_id, grade, skill_id""")
        comp = "100.0 * k.points / k.possible"
        mcomp = "100.0 * m.points / m.possible"
        c.execute(
            f"""
            INSERT INTO {SR} (run_id, school_id, municipality_id, year, procedure_id, subject_id, grade, skill_id,
                              participants, points, possible, completion, municipal_completion, gap, deficit, tasks)
            SELECT {run}, k.school_id, k.municipality_id, k.year, k.procedure_id, k.subject_id, k.grade, k.skill_id,
                   k.n, k.points, k.possible, {comp}, {mcomp}, {mcomp} - {comp},
                   CASE WHEN k.n >= %s AND {comp} <= %s AND {mcomp} - {comp} >= %s THEN 1 = 1 ELSE 1 = 0 END, ''
            FROM sk_skill k JOIN sk_mskill m ON m.municipality_id = k.municipality_id AND {on("m", "k")}
                 AND m.skill_id = k.skill_id""",
            [
                th.deficit_min_participants,
                th.deficit_max_completion + EPS,
                th.deficit_gap_points - EPS,
            ],
        )
        skills = c.rowcount
        c.execute(
            f"""
            INSERT INTO {MR} (run_id, municipality_id, year, procedure_id, subject_id, grade, skill_id,
                              participants, points, possible, completion, weak, schools, deficit_schools, tasks)
            SELECT {run}, m.municipality_id, m.year, m.procedure_id, m.subject_id, m.grade, m.skill_id,
                   m.n, m.points, m.possible, {mcomp},
                   CASE WHEN {mcomp} < %s THEN 1 = 1 ELSE 1 = 0 END, m.schools,
                   (SELECT COUNT(*) FROM {SR} d WHERE d.deficit AND d.municipality_id = m.municipality_id
                        AND {on("d", "m")} AND d.skill_id = m.skill_id), ''
            FROM sk_mskill m""",
            [th.weak_completion - EPS],
        )
        municipal = c.rowcount
        for table in TEMP_TABLES:
            c.execute(f"DROP TABLE IF EXISTS {table}")
    _fill_tasks(years)
    deficits = SkillResult.objects.filter(year__in=years, deficit=True).count()
    weak = MunicipalSkillResult.objects.filter(year__in=years, weak=True).count()
    return {
        "task_results": tasks,
        "skill_results": skills,
        "municipal_skill_results": municipal,
        "skill_deficits": deficits,
        "weak_skills": weak,
    }


def plan_skill_tasks(plans) -> dict[tuple, str]:
    """(year, procedure_id, subject_id, grade, skill_id) → «1, 5.1, 5.2»: the tasks behind a skill."""
    found: dict[tuple, list[str]] = {}
    rows = PlanTask.objects.filter(plan__in=plans).values_list(
        "plan__year", "plan__procedure_id", "plan__subject_id", "plan__grade", "skill_id", "label"
    )
    for y, p, s, g, skill, label in rows:
        found.setdefault((y, p, s, g, skill), []).append(label)
    return {k: ", ".join(sorted(v, key=label_sort_key)) for k, v in found.items()}


def _fill_tasks(years: list[int]) -> None:
    """Record the tasks behind each skill figure (one UPDATE per work and skill)."""
    behind = plan_skill_tasks(TaskPlan.objects.filter(year__in=years))
    for (y, p, s, g, skill), labels in behind.items():
        where = {"year": y, "procedure_id": p, "subject_id": s, "grade": g, "skill_id": skill}
        SkillResult.objects.filter(**where).update(tasks=labels[:500])
        MunicipalSkillResult.objects.filter(**where).update(tasks=labels[:500])
