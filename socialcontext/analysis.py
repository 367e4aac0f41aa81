"""CONTEXT.md §2–§4 in the database: a few set-based SQL statements per run (portable between
PostgreSQL and SQLite), written back in bulk.  Outputs of the analysed years are deleted and
recomputed in the caller's transaction, so running it twice stores the same figures.

Inputs: the context rows (SchoolContext), the school indices and candidate marks
(assessment.SchoolIndex), the non-objectivity flags (assessment.Flag) and the ШНОР statuses
(schools.SchoolStatus) of the analysed years.

Comparisons with a threshold allow EPS for float rounding of a value exactly on it, as the
results analysis does (assessment.analysis.EPS)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from assessment.analysis import EPS
from assessment.models import Flag, FlagKind, SchoolIndex
from schools.models import School, SchoolStatus, StatusKind
from socialcontext.models import (
    INDICATORS,
    Category,
    ContextFit,
    PartnerSuggestion,
    SchoolContext,
    SchoolContextFigure,
)

LOCK_KEY = 6_060_617  # PostgreSQL advisory lock: one writer of the context outputs at a time
TEMP_TABLES = ("ctx_z", "ctx_xy", "ctx_fit", "ctx_res", "ctx_pct", "ctx_flags", "ctx_pool")


@dataclass(frozen=True)
class Thresholds:
    min_indicators: int
    min_schools: int
    resilient_context_percentile: float
    resilient_index_percentile: float
    anomaly_sigmas: float
    partner_max_context_gap: float
    partner_min_index_gap: float
    partner_suggestions: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(
            min_indicators=settings.CONTEXT_MIN_INDICATORS,
            min_schools=settings.CONTEXT_MIN_SCHOOLS,
            resilient_context_percentile=settings.CONTEXT_RESILIENT_CONTEXT_PERCENTILE,
            resilient_index_percentile=settings.CONTEXT_RESILIENT_INDEX_PERCENTILE,
            anomaly_sigmas=settings.CONTEXT_ANOMALY_SIGMAS,
            partner_max_context_gap=settings.CONTEXT_PARTNER_MAX_CONTEXT_GAP,
            partner_min_index_gap=settings.CONTEXT_PARTNER_MIN_INDEX_GAP,
            partner_suggestions=settings.CONTEXT_PARTNER_SUGGESTIONS,
        )

    def as_dict(self) -> dict:
        return asdict(self)


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _in(values) -> str:
    return "(" + ", ".join(str(int(v)) for v in values) + ")"


def _percentile(table: str, column: str, fraction: float) -> str:
    """SELECT municipality_id, year, p: the ``fraction`` percentile of ``column`` over the rows of
    ``table`` per municipality and year, by linear interpolation between closest ranks
    (position fraction · (n − 1) in the sorted values, as RESULTS.md's percentiles)."""
    f = float(fraction)
    return f"""
        WITH ranked AS (
            SELECT municipality_id, year, {column} AS v,
                   ROW_NUMBER() OVER (PARTITION BY municipality_id, year ORDER BY {column}) - 1 AS rn,
                   COUNT(*) OVER (PARTITION BY municipality_id, year) AS n
            FROM {table}
        ), pos AS (
            SELECT DISTINCT municipality_id, year, {f!r} * (n - 1) AS at, FLOOR({f!r} * (n - 1)) AS base FROM ranked
        ), picks AS (
            SELECT pos.municipality_id, pos.year, pos.at - pos.base AS frac,
                   MIN(CASE WHEN r.rn = pos.base THEN r.v END) AS lo,
                   MIN(CASE WHEN r.rn = pos.base + 1 THEN r.v END) AS hi
            FROM pos JOIN ranked r ON r.municipality_id = pos.municipality_id AND r.year = pos.year
            GROUP BY pos.municipality_id, pos.year, pos.at, pos.base
        )
        SELECT municipality_id, year, lo + frac * (COALESCE(hi, lo) - lo) AS p FROM picks"""


def _lock(c) -> None:
    if connection.vendor == "postgresql":
        c.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def compute(years: list[int], th: Thresholds) -> dict:
    """Recompute §2–§4 for ``years`` inside the caller's transaction; returns counts."""
    years = sorted({int(y) for y in years})
    if not years:
        return {}
    Y = _in(years)
    now = timezone.now()
    SC, S, SI = _t(SchoolContext), _t(School), _t(SchoolIndex)
    counts: dict[str, int] = {}
    with connection.cursor() as c:
        _lock(c)
        for model in (SchoolContextFigure, ContextFit, PartnerSuggestion):
            c.execute(f"DELETE FROM {_t(model)} WHERE year IN {Y}")
        for name in TEMP_TABLES:
            c.execute(f"DROP TABLE IF EXISTS {name}")

        # §2. Per municipality and year, for each indicator: how many schools have it, their mean
        # and population σ; each school's signed z where ≥ 2 schools have it and σ > 0; the
        # context index is the mean of its z, kept where it has at least min_indicators of them.
        names = [name for name, _sign in INDICATORS]
        values = ", ".join(f"sc.{n} AS v{i}" for i, n in enumerate(names))
        means = ", ".join(f"COUNT(v{i}) AS n{i}, AVG(v{i}) AS mu{i}" for i in range(len(names)))
        sigmas = ", ".join(f"SQRT(AVG((c.v{i} - m.mu{i}) * (c.v{i} - m.mu{i}))) AS s{i}" for i in range(len(names)))
        zs = [
            f"CASE WHEN c.v{i} IS NOT NULL AND m.n{i} >= 2 AND d.s{i} > {EPS} "
            f"THEN {'' if sign > 0 else '-'}(c.v{i} - m.mu{i}) / d.s{i} END"
            for i, (_name, sign) in enumerate(INDICATORS)
        ]
        z_sum = " + ".join(f"COALESCE({z}, 0)" for z in zs)
        z_count = " + ".join(f"CASE WHEN ({z}) IS NULL THEN 0 ELSE 1 END" for z in zs)
        c.execute(f"""
            CREATE TEMP TABLE ctx_z AS
            WITH c AS (
                SELECT sc.school_id, s.municipality_id, sc.year, {values}
                FROM {SC} sc JOIN {S} s ON s.id = sc.school_id
                WHERE sc.year IN {Y}
            ), m AS (
                SELECT municipality_id, year, {means} FROM c GROUP BY municipality_id, year
            ), d AS (
                SELECT c.municipality_id, c.year, {sigmas}
                FROM c JOIN m ON m.municipality_id = c.municipality_id AND m.year = c.year
                GROUP BY c.municipality_id, c.year
            ), z AS (
                SELECT c.school_id, c.municipality_id, c.year, {z_sum} AS z_sum, {z_count} AS z_n
                FROM c JOIN m ON m.municipality_id = c.municipality_id AND m.year = c.year
                       JOIN d ON d.municipality_id = c.municipality_id AND d.year = c.year
            )
            SELECT school_id, municipality_id, year, z_sum / z_n AS ctx, z_n
            FROM z WHERE z_n >= {int(th.min_indicators)}
        """)

        # §3. The schools with both indices; per municipality-year with ≥ min_schools of them and
        # context indices that vary: the OLS line, residuals, σ_res, r², P25 and P50.
        c.execute(f"""
            CREATE TEMP TABLE ctx_xy AS
            SELECT z.school_id, z.municipality_id, z.year, z.ctx AS x, i.value AS y, i.candidate
            FROM ctx_z z JOIN {SI} i ON i.school_id = z.school_id AND i.year = z.year
        """)
        c.execute(f"""
            CREATE TEMP TABLE ctx_fit AS
            WITH g AS (
                SELECT municipality_id, year, COUNT(*) AS n, AVG(x) AS mx, AVG(y) AS my
                FROM ctx_xy GROUP BY municipality_id, year
            ), s AS (
                SELECT g.municipality_id, g.year, g.n, g.mx, g.my,
                       SUM((xy.x - g.mx) * (xy.x - g.mx)) AS sxx, SUM((xy.x - g.mx) * (xy.y - g.my)) AS sxy,
                       SUM((xy.y - g.my) * (xy.y - g.my)) AS syy
                FROM ctx_xy xy JOIN g ON g.municipality_id = xy.municipality_id AND g.year = xy.year
                GROUP BY g.municipality_id, g.year, g.n, g.mx, g.my
            )
            SELECT municipality_id, year, n, sxy / sxx AS slope, my - (sxy / sxx) * mx AS intercept,
                   CASE WHEN syy > {EPS} THEN sxy * sxy / (sxx * syy) END AS r2
            FROM s WHERE n >= {int(th.min_schools)} AND sxx > {EPS}
        """)
        c.execute("""
            CREATE TEMP TABLE ctx_res AS
            SELECT xy.school_id, xy.municipality_id, xy.year, xy.x, xy.y,
                   f.intercept + f.slope * xy.x AS expected, xy.y - (f.intercept + f.slope * xy.x) AS residual
            FROM ctx_xy xy JOIN ctx_fit f ON f.municipality_id = xy.municipality_id AND f.year = xy.year
        """)
        c.execute(f"""
            CREATE TEMP TABLE ctx_pct AS
            WITH r AS (
                SELECT municipality_id, year, AVG(residual) AS mr FROM ctx_res GROUP BY municipality_id, year
            ), sig AS (
                SELECT res.municipality_id, res.year,
                       SQRT(AVG((res.residual - r.mr) * (res.residual - r.mr))) AS sigma
                FROM ctx_res res JOIN r ON r.municipality_id = res.municipality_id AND r.year = res.year
                GROUP BY res.municipality_id, res.year
            ), px AS ({_percentile("ctx_res", "x", th.resilient_context_percentile)}
            ), py AS ({_percentile("ctx_res", "y", th.resilient_index_percentile)}
            )
            SELECT sig.municipality_id, sig.year, sig.sigma, px.p AS p_ctx, py.p AS p_idx
            FROM sig JOIN px ON px.municipality_id = sig.municipality_id AND px.year = sig.year
                     JOIN py ON py.municipality_id = sig.municipality_id AND py.year = sig.year
        """)
        c.execute(
            f"""
            INSERT INTO {_t(ContextFit)} (municipality_id, year, schools, intercept, slope, r2, sigma_residual,
                p25_context, p50_index, computed)
            SELECT f.municipality_id, f.year, f.n, f.intercept, f.slope, f.r2, p.sigma, p.p_ctx, p.p_idx, %s
            FROM ctx_fit f JOIN ctx_pct p ON p.municipality_id = f.municipality_id AND p.year = f.year
        """,
            [now],
        )
        counts["context_fits"] = c.rowcount

        # Every school with a context index; the fit's figures where its municipality-year has one.
        # Category: the first of resilient, below, above, expected that applies; anomaly: resilient
        # or above, and a residual ≥ anomaly_sigmas · σ_res or a non-objectivity flag that year.
        c.execute(
            f"""CREATE TEMP TABLE ctx_flags AS SELECT school_id, year, COUNT(*) AS n FROM {_t(Flag)}
                WHERE year IN {Y} AND kind = %s GROUP BY school_id, year""",
            [FlagKind.NON_OBJECTIVE],
        )
        category = f"""CASE
            WHEN res.residual IS NULL THEN ''
            WHEN res.x <= p.p_ctx + {EPS} AND res.y >= p.p_idx - {EPS} THEN %s
            WHEN res.residual <= -p.sigma + {EPS} THEN %s
            WHEN res.residual >= p.sigma - {EPS} THEN %s
            ELSE %s END"""
        big = f"res.residual >= %s * p.sigma - {EPS}"
        c.execute(
            f"""
            INSERT INTO {_t(SchoolContextFigure)} (school_id, municipality_id, year, context_index, indicators,
                school_index, expected, residual, category, anomaly, anomaly_residual, anomaly_flags, computed)
            SELECT school_id, municipality_id, year, ctx, z_n, y, expected, residual, category,
                   CASE WHEN category IN (%s, %s) AND (big = 1 OR n_flags > 0) THEN {_true()} ELSE {_false()} END,
                   CASE WHEN category IN (%s, %s) AND big = 1 THEN {_true()} ELSE {_false()} END,
                   CASE WHEN category IN (%s, %s) THEN n_flags ELSE 0 END, %s
            FROM (
                SELECT z.school_id, z.municipality_id, z.year, z.ctx, z.z_n, i.value AS y, res.expected,
                       res.residual, {category} AS category,
                       CASE WHEN res.residual IS NOT NULL AND {big} THEN 1 ELSE 0 END AS big,
                       COALESCE(fl.n, 0) AS n_flags
                FROM ctx_z z
                LEFT JOIN {SI} i ON i.school_id = z.school_id AND i.year = z.year
                LEFT JOIN ctx_res res ON res.school_id = z.school_id AND res.year = z.year
                LEFT JOIN ctx_pct p ON p.municipality_id = z.municipality_id AND p.year = z.year
                LEFT JOIN ctx_flags fl ON fl.school_id = z.school_id AND fl.year = z.year
            ) fig
        """,
            [
                Category.RESILIENT,
                Category.ABOVE,
                Category.RESILIENT,
                Category.ABOVE,
                Category.RESILIENT,
                Category.ABOVE,
                now,
                Category.RESILIENT,
                Category.BELOW,
                Category.ABOVE,
                Category.EXPECTED,
                th.anomaly_sigmas,
            ],
        )
        counts["context_indices"] = c.rowcount

        # §4. Partner suggestions: for each ШНОР school or low-result candidate with both indices,
        # the schools of its municipality and year with both indices that are neither, in a
        # similar context and with a higher index; the first ones by index gap (descending),
        # |context gap| (ascending) and school code.
        ST = _t(SchoolStatus)
        c.execute(
            f"""
            CREATE TEMP TABLE ctx_pool AS
            SELECT xy.school_id, xy.municipality_id, xy.year, xy.x, xy.y, s.code,
                   CASE WHEN xy.candidate OR EXISTS (
                       SELECT 1 FROM {ST} st WHERE st.school_id = xy.school_id AND st.kind = %s
                         AND st.year_from <= xy.year AND (st.year_to IS NULL OR st.year_to >= xy.year)
                   ) THEN 1 ELSE 0 END AS low
            FROM ctx_xy xy JOIN {S} s ON s.id = xy.school_id
        """,
            [StatusKind.LOW_RESULTS],
        )
        # Gaps equal to nine decimals are ties (the same values reach them along different float
        # roundings), decided by the next key; codes compare by their characters (no locale).
        gap, step, keep = (
            float(th.partner_max_context_gap) + EPS,
            float(th.partner_min_index_gap) - EPS,
            int(th.partner_suggestions),
        )
        keys = "ROUND((b.y - a.y) * 1e9) AS ig_key, ROUND(ABS(b.x - a.x) * 1e9) AS cg_key"
        partners = f"""b.municipality_id = a.municipality_id AND b.year = a.year AND b.low = 0
                       AND b.x BETWEEN a.x - {gap!r} AND a.x + {gap!r} AND b.y >= a.y + {step!r}"""
        insert = f"""INSERT INTO {_t(PartnerSuggestion)} (school_id, partner_id, municipality_id, year, rank,
                         context_gap, index_gap, computed)"""
        if connection.vendor == "postgresql":
            # Each school's first ones straight from its window of partners (an index range on x and a
            # top-N sort), instead of ranking every pair of the municipality.
            c.execute("CREATE INDEX ON ctx_pool (municipality_id, year, low, x)")
            c.execute("ANALYZE ctx_pool")
            c.execute(
                f"""{insert}
                SELECT a.school_id, p.school_id, a.municipality_id, a.year,
                       ROW_NUMBER() OVER (PARTITION BY a.school_id, a.year ORDER BY p.ig_key DESC, p.cg_key, p.code),
                       p.context_gap, p.index_gap, %s
                FROM ctx_pool a CROSS JOIN LATERAL (
                    SELECT b.school_id, b.code COLLATE "C" AS code, b.x - a.x AS context_gap, b.y - a.y AS index_gap, {keys}
                    FROM ctx_pool b WHERE {partners}
                    ORDER BY ig_key DESC, cg_key, code LIMIT {keep}
                ) p
                WHERE a.low = 1""",
                [now],
            )
        else:
            c.execute(
                f"""{insert}
                SELECT school_id, partner_id, municipality_id, year, rn, context_gap, index_gap, %s FROM (
                    SELECT a.school_id, b.school_id AS partner_id, a.municipality_id, a.year,
                           b.x - a.x AS context_gap, b.y - a.y AS index_gap,
                           ROW_NUMBER() OVER (PARTITION BY a.school_id, a.year ORDER BY ROUND((b.y - a.y) * 1e9) DESC,
                                              ROUND(ABS(b.x - a.x) * 1e9), b.code) AS rn
                    FROM ctx_pool a JOIN ctx_pool b ON {partners}
                    WHERE a.low = 1
                ) ranked WHERE rn <= {keep}""",
                [now],
            )
        counts["partner_suggestions"] = c.rowcount

        for name in TEMP_TABLES:
            c.execute(f"DROP TABLE IF EXISTS {name}")
    counts["anomalies"] = SchoolContextFigure.objects.filter(year__in=years, anomaly=True).count()
    return counts


def _true() -> str:
    return "TRUE" if connection.vendor == "postgresql" else "1"


def _false() -> str:
    return "FALSE" if connection.vendor == "postgresql" else "0"
