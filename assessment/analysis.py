"""The analysis of RESULTS.md, set-based in the database: a handful of SQL statements over
the whole data (portable between PostgreSQL and SQLite), no Python loop over rows.

Outputs for the analysed years are deleted and recomputed in one transaction, so running
it twice stores the same figures.  Inputs read the previous year too (dynamics, index
change)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from assessment.indicators import indicators_fill_from_analysis
from assessment.models import (
    Flag,
    FlagKind,
    GroupResult,
    Procedure,
    ProgrammeEffect,
    Result,
    RiskZoneCount,
    SchoolIndex,
    Spread,
)
from schools.models import School, SchoolStatus, StatusKind

EPS = 1e-9  # tolerance on threshold comparisons (float rounding of values exactly on a threshold)
RISK_PROCEDURES = ("РДР", "ККР", "ОГЭ", "ЕГЭ")
RISK_GRADES = (9, 11)


@dataclass(frozen=True)
class Thresholds:
    low_gap_points: float
    low_share_fail: float
    dynamics_drop_points: float
    nonobjective_min_rows: int
    nonobjective_lowered: float
    nonobjective_mismatch: float
    risk_percent: float
    index_min_participants: int
    candidate_percentile: float
    candidate_index_limit: float

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(
            low_gap_points=settings.ASSESSMENT_LOW_GAP_POINTS,
            low_share_fail=settings.ASSESSMENT_LOW_SHARE_FAIL,
            dynamics_drop_points=settings.ASSESSMENT_DYNAMICS_DROP_POINTS,
            nonobjective_min_rows=settings.ASSESSMENT_NONOBJECTIVE_MIN_ROWS,
            nonobjective_lowered=settings.ASSESSMENT_NONOBJECTIVE_LOWERED,
            nonobjective_mismatch=settings.ASSESSMENT_NONOBJECTIVE_MISMATCH,
            risk_percent=settings.ASSESSMENT_RISK_PERCENT,
            index_min_participants=settings.ASSESSMENT_INDEX_MIN_PARTICIPANTS,
            candidate_percentile=settings.ASSESSMENT_CANDIDATE_PERCENTILE,
            candidate_index_limit=settings.ASSESSMENT_CANDIDATE_INDEX_LIMIT,
        )

    def as_dict(self) -> dict:
        return asdict(self)


RULES = {
    FlagKind.LOW_RESULTS: "municipal_mean_percent - mean_percent >= gap_points OR share_fail >= share_fail_limit",
    FlagKind.NEGATIVE_DYNAMICS: "previous_mean_percent - mean_percent >= drop_points",
    FlagKind.TEACHER_DYNAMICS: (
        "previous_mean_percent - mean_percent >= drop_points (same teacher_code, rows pooled over grades)"
    ),
    FlagKind.NON_OBJECTIVE: "procedure = ВПР AND with_both >= min_rows AND (lowered >= lowered_limit OR raised + lowered >= mismatch_limit)",
}

TEMP_TABLES = ("asm_raw", "asm_grp", "asm_tch", "asm_idx", "asm_pct", "asm_risk")


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _in(values) -> str:
    return "(" + ", ".join(str(int(v)) for v in values) + ")"


def _json() -> str:
    return "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"


def _share(num: str, den: str) -> str:
    return f"CASE WHEN {den} > 0 THEN 1.0 * {num} / {den} END"


WORK_MEM = "128MB"  # for the analysis transaction: its hash aggregates stay in memory


def _prepare_postgresql(c) -> None:
    """Memory for the aggregates of this transaction, and fresh statistics of the results when an
    import changed many rows since the last ANALYZE (the analysis is queued right after an import,
    before autovacuum looks: stale statistics made the planner pick index loops over 5 M rows)."""
    c.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
    c.execute(
        """SELECT n_live_tup, n_mod_since_analyze, COALESCE(last_analyze, last_autoanalyze) IS NULL
           FROM pg_stat_user_tables WHERE relid = %s::regclass""",
        [Result._meta.db_table],
    )
    row = c.fetchone()
    if row is not None and (row[2] or row[1] > 0.1 * max(row[0], 1)):
        c.execute(f"ANALYZE {_t(Result)}")


def compute(run_id: int, years: list[int], th: Thresholds) -> dict:
    """Recompute every stored figure, flag and index for ``years``; returns counts."""
    years = sorted({int(y) for y in years})
    if not years:
        return {}
    inputs = sorted(set(years) | {y - 1 for y in years})
    now = timezone.now()
    R, S = _t(Result), _t(School)
    Y, YI = _in(years), _in(inputs)
    J = _json()
    counts: dict[str, int] = {}
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            _prepare_postgresql(c)
        for model in (GroupResult, Flag, RiskZoneCount, SchoolIndex, Spread, ProgrammeEffect):
            c.execute(f"DELETE FROM {_t(model)} WHERE year IN {Y}")
        for name in TEMP_TABLES:
            c.execute(f"DROP TABLE IF EXISTS {name}")

        # 1. One scan of the rows: sums per group and teacher (analysed years and the year before
        #    each); the group figures are these sums rolled up, so they still come from the rows.
        #    The municipality is joined to the groups, not to the millions of rows.  (Keeping the
        #    rows of the risk zone apart in this scan, with their student codes, to count the risk
        #    zone from it too was measured: 2.7–3.2 s against 1.0 s + 0.3–0.5 s for two scans.)
        c.execute(f"""
            CREATE TEMP TABLE asm_raw AS
            SELECT r.school_id, r.year, r.procedure_id, r.subject_id, r.grade, r.teacher_code,
                   COUNT(*) AS participants,
                   SUM(r.score) AS sum_score,
                   SUM(100.0 * r.score / r.max_score) AS sum_percent,
                   COUNT(r.mark) AS with_mark,
                   SUM(CASE WHEN r.mark = 2 THEN 1 ELSE 0 END) AS n_fail,
                   SUM(CASE WHEN r.mark >= 3 THEN 1 ELSE 0 END) AS n_success,
                   SUM(CASE WHEN r.mark >= 4 THEN 1 ELSE 0 END) AS n_quality,
                   SUM(CASE WHEN r.mark IS NOT NULL AND r.term_mark IS NOT NULL THEN 1 ELSE 0 END) AS with_both,
                   SUM(CASE WHEN r.mark < r.term_mark THEN 1 ELSE 0 END) AS n_lowered,
                   SUM(CASE WHEN r.mark = r.term_mark THEN 1 ELSE 0 END) AS n_confirmed,
                   SUM(CASE WHEN r.mark > r.term_mark THEN 1 ELSE 0 END) AS n_raised
            FROM {R} r
            WHERE r.year IN {YI}
            GROUP BY r.school_id, r.year, r.procedure_id, r.subject_id, r.grade, r.teacher_code
        """)
        c.execute(f"""
            CREATE TEMP TABLE asm_grp AS
            SELECT a.school_id, s.municipality_id, a.year, a.procedure_id, a.subject_id, a.grade,
                   SUM(a.participants) AS participants,
                   1.0 * SUM(a.sum_score) / SUM(a.participants) AS mean_score,
                   SUM(a.sum_percent) AS sum_percent,
                   SUM(a.sum_percent) / SUM(a.participants) AS mean_percent,
                   SUM(a.with_mark) AS with_mark, SUM(a.n_fail) AS n_fail, SUM(a.n_success) AS n_success,
                   SUM(a.n_quality) AS n_quality, SUM(a.with_both) AS with_both, SUM(a.n_lowered) AS n_lowered,
                   SUM(a.n_confirmed) AS n_confirmed, SUM(a.n_raised) AS n_raised
            FROM asm_raw a JOIN {S} s ON s.id = a.school_id
            GROUP BY a.school_id, s.municipality_id, a.year, a.procedure_id, a.subject_id, a.grade
        """)
        if connection.vendor == "postgresql":
            c.execute("SET LOCAL default_statistics_target = 10")  # a small sample is enough for the plans
            c.execute("ANALYZE asm_grp")
            c.execute("RESET default_statistics_target")
        c.execute(
            f"""
            INSERT INTO {_t(GroupResult)} (run_id, school_id, year, procedure_id, subject_id, grade, participants,
                mean_score, mean_percent, with_mark, share_fail, success_rate, quality_rate, with_both,
                lowered, confirmed, raised)
            SELECT %s, school_id, year, procedure_id, subject_id, grade, participants, mean_score, mean_percent,
                   with_mark, {_share("n_fail", "with_mark")}, {_share("n_success", "with_mark")},
                   {_share("n_quality", "with_mark")}, with_both, {_share("n_lowered", "with_both")},
                   {_share("n_confirmed", "with_both")}, {_share("n_raised", "with_both")}
            FROM asm_grp WHERE year IN {Y}
        """,
            [run_id],
        )
        counts["groups"] = c.rowcount

        # 2. School indices (analysed years and the previous ones, for the change of index).
        c.execute(
            f"""
            CREATE TEMP TABLE asm_idx AS
            WITH g AS (
                SELECT school_id, municipality_id, year, procedure_id, subject_id, grade, mean_percent
                FROM asm_grp WHERE participants >= %s
            ), k AS (
                SELECT municipality_id, year, procedure_id, subject_id, grade, COUNT(*) AS n, AVG(mean_percent) AS mu
                FROM g GROUP BY municipality_id, year, procedure_id, subject_id, grade
            ), v AS (
                SELECT k.municipality_id, k.year, k.procedure_id, k.subject_id, k.grade, k.n, k.mu,
                       SQRT(AVG((g.mean_percent - k.mu) * (g.mean_percent - k.mu))) AS sigma
                FROM g JOIN k ON k.municipality_id = g.municipality_id AND k.year = g.year
                     AND k.procedure_id = g.procedure_id AND k.subject_id = g.subject_id AND k.grade = g.grade
                GROUP BY k.municipality_id, k.year, k.procedure_id, k.subject_id, k.grade, k.n, k.mu
            )
            SELECT g.school_id, g.municipality_id, g.year, AVG((g.mean_percent - v.mu) / v.sigma) AS idx,
                   COUNT(*) AS n_keys
            FROM g JOIN v ON v.municipality_id = g.municipality_id AND v.year = g.year
                 AND v.procedure_id = g.procedure_id AND v.subject_id = g.subject_id AND v.grade = g.grade
            WHERE v.n >= 2 AND v.sigma > {EPS}
            GROUP BY g.school_id, g.municipality_id, g.year
        """,
            [th.index_min_participants],
        )

        # 3. Percentiles of the indices per municipality and year (linear interpolation between closest ranks).
        c.execute(
            f"""
            CREATE TEMP TABLE asm_pct AS
            WITH ranked AS (
                SELECT municipality_id, year, idx,
                       ROW_NUMBER() OVER (PARTITION BY municipality_id, year ORDER BY idx) - 1 AS rn,
                       COUNT(*) OVER (PARTITION BY municipality_id, year) AS n
                FROM asm_idx WHERE year IN {Y}
            ), pos AS (
                SELECT DISTINCT municipality_id, year, n,
                       %s * (n - 1) AS lo_pos, 0.9 * (n - 1) AS hi_pos,
                       FLOOR(%s * (n - 1)) AS lo_base, FLOOR(0.9 * (n - 1)) AS hi_base
                FROM ranked
            ), picks AS (
                SELECT pos.municipality_id, pos.year, pos.n, pos.lo_pos - pos.lo_base AS lo_frac,
                       pos.hi_pos - pos.hi_base AS hi_frac,
                       MIN(CASE WHEN r.rn = pos.lo_base THEN r.idx END) AS lo_a,
                       MIN(CASE WHEN r.rn = pos.lo_base + 1 THEN r.idx END) AS lo_b,
                       MIN(CASE WHEN r.rn = pos.hi_base THEN r.idx END) AS hi_a,
                       MIN(CASE WHEN r.rn = pos.hi_base + 1 THEN r.idx END) AS hi_b
                FROM pos JOIN ranked r ON r.municipality_id = pos.municipality_id AND r.year = pos.year
                GROUP BY pos.municipality_id, pos.year, pos.n, pos.lo_pos, pos.lo_base, pos.hi_pos, pos.hi_base
            )
            SELECT municipality_id, year, n,
                   lo_a + lo_frac * (COALESCE(lo_b, lo_a) - lo_a) AS p10,
                   hi_a + hi_frac * (COALESCE(hi_b, hi_a) - hi_a) AS p90
            FROM picks
        """,
            [th.candidate_percentile, th.candidate_percentile],
        )
        c.execute(
            f"""
            INSERT INTO {_t(SchoolIndex)} (run_id, school_id, municipality_id, year, value, n_keys, p10,
                candidate, below_p10, below_limit)
            SELECT %s, i.school_id, i.municipality_id, i.year, i.idx, i.n_keys, p.p10,
                   CASE WHEN i.idx <= p.p10 + {EPS} OR i.idx < %s THEN {_true()} ELSE {_false()} END,
                   CASE WHEN i.idx <= p.p10 + {EPS} THEN {_true()} ELSE {_false()} END,
                   CASE WHEN i.idx < %s THEN {_true()} ELSE {_false()} END
            FROM asm_idx i JOIN asm_pct p ON p.municipality_id = i.municipality_id AND p.year = i.year
            WHERE i.year IN {Y}
        """,
            [
                run_id,
                th.candidate_index_limit,
                th.candidate_index_limit,
            ],
        )
        counts["indices"] = c.rowcount
        c.execute(
            f"""
            INSERT INTO {_t(Spread)} (run_id, municipality_id, year, schools, p10, p90, spread)
            SELECT %s, municipality_id, year, n, p10, p90, p90 - p10 FROM asm_pct
        """,
            [run_id],
        )

        # 4. Programme effectiveness for each analysed programme year.
        ST = _t(SchoolStatus)
        covers = "st.kind = %s AND st.year_from <= %s AND (st.year_to IS NULL OR st.year_to >= %s)"
        for year in years:
            c.execute(
                f"""
                INSERT INTO {_t(ProgrammeEffect)} (run_id, municipality_id, year, participants, rose, left_status,
                    share_rose, share_left)
                WITH part AS (
                    SELECT DISTINCT st.school_id, s.municipality_id FROM {ST} st JOIN {S} s ON s.id = st.school_id
                    WHERE {covers}
                ), nxt AS (
                    SELECT DISTINCT st.school_id FROM {ST} st WHERE {covers}
                ), agg AS (
                    SELECT part.municipality_id, COUNT(*) AS n,
                           SUM(CASE WHEN cur.idx > prev.idx THEN 1 ELSE 0 END) AS rose,
                           SUM(CASE WHEN nxt.school_id IS NULL THEN 1 ELSE 0 END) AS lft
                    FROM part
                    LEFT JOIN asm_idx cur ON cur.school_id = part.school_id AND cur.year = %s
                    LEFT JOIN asm_idx prev ON prev.school_id = part.school_id AND prev.year = %s
                    LEFT JOIN nxt ON nxt.school_id = part.school_id
                    GROUP BY part.municipality_id
                )
                SELECT %s, municipality_id, %s, n, rose, lft, 1.0 * rose / n, 1.0 * lft / n FROM agg
                WHERE municipality_id IN (SELECT municipality_id FROM asm_idx WHERE year = %s)
            """,
                [
                    StatusKind.LOW_RESULTS,
                    year,
                    year,
                    StatusKind.LOW_RESULTS,
                    year + 1,
                    year + 1,
                    year,
                    year - 1,
                    run_id,
                    year,
                    year,
                ],
            )

        # 5. Flags.
        flag_cols = (
            f"INSERT INTO {_t(Flag)} (run_id, kind, school_id, year, procedure_id, subject_id, grade, teacher_code, "
            "rule, inputs, thresholds, created)"
        )
        c.execute(
            f"""
            {flag_cols}
            WITH m AS (
                SELECT municipality_id, year, procedure_id, subject_id, grade,
                       SUM(sum_percent) / SUM(participants) AS mp
                FROM asm_grp WHERE year IN {Y} GROUP BY municipality_id, year, procedure_id, subject_id, grade
            )
            SELECT %s, %s, g.school_id, g.year, g.procedure_id, g.subject_id, g.grade, '', %s,
                   {J}('participants', g.participants, 'mean_percent', g.mean_percent, 'municipal_mean_percent', m.mp,
                       'gap', m.mp - g.mean_percent, 'share_fail', {_share("g.n_fail", "g.with_mark")}),
                   {J}('gap_points', %s, 'share_fail', %s), %s
            FROM asm_grp g JOIN m ON m.municipality_id = g.municipality_id AND m.year = g.year
                 AND m.procedure_id = g.procedure_id AND m.subject_id = g.subject_id AND m.grade = g.grade
            WHERE g.year IN {Y}
              AND (m.mp - g.mean_percent >= %s OR (g.with_mark > 0 AND 1.0 * g.n_fail / g.with_mark >= %s))
        """,
            [
                run_id,
                FlagKind.LOW_RESULTS,
                RULES[FlagKind.LOW_RESULTS],
                th.low_gap_points,
                th.low_share_fail,
                now,
                th.low_gap_points - EPS,
                th.low_share_fail - EPS,
            ],
        )
        c.execute(
            f"""
            {flag_cols}
            SELECT %s, %s, g.school_id, g.year, g.procedure_id, g.subject_id, g.grade, '', %s,
                   {J}('participants', g.participants, 'mean_percent', g.mean_percent,
                       'previous_mean_percent', p.mean_percent, 'change', g.mean_percent - p.mean_percent),
                   {J}('drop_points', %s), %s
            FROM asm_grp g JOIN asm_grp p ON p.school_id = g.school_id AND p.year = g.year - 1
                 AND p.procedure_id = g.procedure_id AND p.subject_id = g.subject_id AND p.grade = g.grade
            WHERE g.year IN {Y} AND p.mean_percent - g.mean_percent >= %s
        """,
            [
                run_id,
                FlagKind.NEGATIVE_DYNAMICS,
                RULES[FlagKind.NEGATIVE_DYNAMICS],
                th.dynamics_drop_points,
                now,
                th.dynamics_drop_points - EPS,
            ],
        )
        # Teachers' negative dynamics (RESULTS.md): per (school, year, procedure, subject,
        # teacher_code), the rows pooled over the teacher's grades, against the same teacher's
        # pool of the previous year.  The flag names no grade (NULL); it is a list of its own,
        # never part of a school's flag totals.
        c.execute("""
            CREATE TEMP TABLE asm_tch AS
            SELECT school_id, year, procedure_id, subject_id, teacher_code,
                   SUM(participants) AS participants, SUM(sum_percent) / SUM(participants) AS mean_percent,
                   MIN(grade) AS grade_min, MAX(grade) AS grade_max, COUNT(DISTINCT grade) AS grades
            FROM asm_raw WHERE teacher_code <> ''
            GROUP BY school_id, year, procedure_id, subject_id, teacher_code
        """)
        c.execute(
            f"""
            {flag_cols}
            SELECT %s, %s, g.school_id, g.year, g.procedure_id, g.subject_id, NULL, g.teacher_code, %s,
                   {J}('participants', g.participants, 'mean_percent', g.mean_percent,
                       'previous_participants', p.participants, 'previous_mean_percent', p.mean_percent,
                       'change', g.mean_percent - p.mean_percent, 'grade_min', g.grade_min,
                       'grade_max', g.grade_max, 'grades', g.grades),
                   {J}('drop_points', %s), %s
            FROM asm_tch g JOIN asm_tch p ON p.school_id = g.school_id AND p.year = g.year - 1
                 AND p.procedure_id = g.procedure_id AND p.subject_id = g.subject_id
                 AND p.teacher_code = g.teacher_code
            WHERE g.year IN {Y} AND p.mean_percent - g.mean_percent >= %s
        """,
            [
                run_id,
                FlagKind.TEACHER_DYNAMICS,
                RULES[FlagKind.TEACHER_DYNAMICS],
                th.dynamics_drop_points,
                now,
                th.dynamics_drop_points - EPS,
            ],
        )
        vpr = list(Procedure.objects.filter(code="ВПР").values_list("pk", flat=True)) or [0]
        c.execute(
            f"""
            {flag_cols}
            SELECT %s, %s, g.school_id, g.year, g.procedure_id, g.subject_id, g.grade, '', %s,
                   {J}('with_both', g.with_both, 'lowered', 1.0 * g.n_lowered / g.with_both,
                       'raised', 1.0 * g.n_raised / g.with_both,
                       'raised_plus_lowered', 1.0 * (g.n_raised + g.n_lowered) / g.with_both),
                   {J}('min_rows', %s, 'lowered', %s, 'raised_plus_lowered', %s), %s
            FROM asm_grp g
            WHERE g.year IN {Y} AND g.procedure_id IN {_in(vpr)} AND g.with_both >= %s
              AND (1.0 * g.n_lowered / g.with_both >= %s OR 1.0 * (g.n_raised + g.n_lowered) / g.with_both >= %s)
        """,
            [
                run_id,
                FlagKind.NON_OBJECTIVE,
                RULES[FlagKind.NON_OBJECTIVE],
                th.nonobjective_min_rows,
                th.nonobjective_lowered,
                th.nonobjective_mismatch,
                now,
                max(th.nonobjective_min_rows, 1),
                th.nonobjective_lowered - EPS,
                th.nonobjective_mismatch - EPS,
            ],
        )

        # 6. Risk zone: distinct students of grades 9 and 11 below the threshold, per school, subject,
        #    year (distinct rows first, then counted: two hash aggregates, not a sort per group; into a
        #    temporary table first, because PostgreSQL scans in parallel for CREATE TABLE AS but not
        #    for INSERT … SELECT).
        risk = list(Procedure.objects.filter(code__in=RISK_PROCEDURES).values_list("pk", flat=True)) or [0]
        c.execute(
            f"""
            CREATE TEMP TABLE asm_risk AS
            SELECT school_id, year, subject_id, COUNT(*) AS students
            FROM (
                SELECT DISTINCT r.school_id, r.year, r.subject_id, r.student_code
                FROM {R} r
                WHERE r.year IN {Y} AND r.grade IN {_in(RISK_GRADES)} AND r.procedure_id IN {_in(risk)}
                  AND 100.0 * r.score / r.max_score < %s
            ) AS students
            GROUP BY school_id, year, subject_id
        """,
            [th.risk_percent],
        )
        c.execute(
            f"""INSERT INTO {_t(RiskZoneCount)} (run_id, school_id, year, subject_id, students)
                SELECT %s, school_id, year, subject_id, students FROM asm_risk""",
            [run_id],
        )

        for name in TEMP_TABLES:
            c.execute(f"DROP TABLE IF EXISTS {name}")
        if connection.vendor == "postgresql":
            # Fresh statistics after replacing the outputs, so the pages keep their index plans —
            # where the number of rows changed much (the same rows again need none).
            for model in (GroupResult, Flag, RiskZoneCount, SchoolIndex):
                c.execute(
                    f"SELECT (SELECT reltuples FROM pg_class WHERE oid = %s::regclass), COUNT(*) FROM {_t(model)}",
                    [model._meta.db_table],
                )
                estimated, rows = c.fetchone()
                if estimated < 0 or abs(rows - estimated) > 0.2 * max(rows, estimated, 1):
                    c.execute(f"ANALYZE {_t(model)}")
    counts["flags"] = Flag.objects.filter(year__in=years).count()
    counts["indicators"] = indicators_fill_from_analysis(years)  # roadmap indicators linked to figures (issue 6.7)
    return counts


def _true() -> str:
    return "TRUE" if connection.vendor == "postgresql" else "1"


def _false() -> str:
    return "FALSE" if connection.vendor == "postgresql" else "0"
