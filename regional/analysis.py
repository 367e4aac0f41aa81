"""The regional school index (RESULTS.md's school index with the region in place of the
municipality), its candidates and the region's spread, and the municipalities' sums of
results — recomputed with every analysis run, for the years it analysed, from the group
figures it has just stored.

One SQL statement computes every school's regional index (set-based, over the whole
region); the percentiles of the region's indices are then read off the sorted values, one
region and year at a time, and the rows are written back in bulk."""

from __future__ import annotations

import math
from collections import defaultdict

from django.db import connection

from assessment.analysis import EPS, Thresholds
from assessment.models import GroupResult
from regional.models import MunicipalityResult, RegionalSchoolIndex, RegionalSpread
from schools.models import Municipality, School


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (the definition of RESULTS.md)."""
    position = q * (len(sorted_values) - 1)
    base = math.floor(position)
    upper = sorted_values[min(base + 1, len(sorted_values) - 1)]
    return sorted_values[base] + (position - base) * (upper - sorted_values[base])


def _q(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def regional_indices_sql(years: list[int], min_participants: int) -> tuple[str, list]:
    """(school_id, region_id, year, index, n_keys) of every school with a regional index."""
    placeholders = ", ".join(["%s"] * len(years))
    sql = f"""
        WITH g AS (
            SELECT gr.school_id, m.region_id, gr.year, gr.procedure_id, gr.subject_id, gr.grade, gr.mean_percent
            FROM {_q(GroupResult)} gr
            JOIN {_q(School)} s ON s.id = gr.school_id
            JOIN {_q(Municipality)} m ON m.id = s.municipality_id
            WHERE gr.year IN ({placeholders}) AND gr.participants >= %s
        ), k AS (
            SELECT region_id, year, procedure_id, subject_id, grade, COUNT(*) AS n, AVG(mean_percent) AS mu
            FROM g GROUP BY region_id, year, procedure_id, subject_id, grade
        ), v AS (
            SELECT k.region_id, k.year, k.procedure_id, k.subject_id, k.grade, k.n, k.mu,
                   SQRT(AVG((g.mean_percent - k.mu) * (g.mean_percent - k.mu))) AS sigma
            FROM g JOIN k ON k.region_id = g.region_id AND k.year = g.year
                 AND k.procedure_id = g.procedure_id AND k.subject_id = g.subject_id AND k.grade = g.grade
            GROUP BY k.region_id, k.year, k.procedure_id, k.subject_id, k.grade, k.n, k.mu
        )
        SELECT g.school_id, g.region_id, g.year, AVG((g.mean_percent - v.mu) / v.sigma) AS idx, COUNT(*) AS n_keys
        FROM g JOIN v ON v.region_id = g.region_id AND v.year = g.year
             AND v.procedure_id = g.procedure_id AND v.subject_id = g.subject_id AND v.grade = g.grade
        WHERE v.n >= 2 AND v.sigma > {EPS}
        GROUP BY g.school_id, g.region_id, g.year
    """
    return sql, [*years, min_participants]


def regional_index_compute(run_id: int | None, years: list[int], th: Thresholds | None = None) -> dict:
    """Replace the regional indices and spreads of ``years``; returns their counts."""
    years = sorted({int(y) for y in years})
    if not years:
        return {}
    th = th or Thresholds.from_settings()
    RegionalSchoolIndex.objects.filter(year__in=years).delete()
    RegionalSpread.objects.filter(year__in=years).delete()
    sql, params = regional_indices_sql(years, th.index_min_participants)
    groups: dict[tuple[int, int], list[tuple[int, float, int]]] = defaultdict(list)
    with connection.cursor() as c:
        c.execute(sql, params)
        for school_id, region_id, year, idx, n_keys in c.fetchall():
            groups[(region_id, year)].append((school_id, float(idx), int(n_keys)))
    indices, spreads = [], []
    for (region_id, year), rows in groups.items():
        values = sorted(v for _s, v, _n in rows)
        p10 = percentile(values, th.candidate_percentile)
        p90 = percentile(values, 0.9)
        spreads.append(
            RegionalSpread(
                run_id=run_id, region_id=region_id, year=year, schools=len(values), p10=p10, p90=p90, spread=p90 - p10
            )
        )
        for school_id, value, n_keys in rows:
            below_p10 = value <= p10 + EPS
            below_limit = value < th.candidate_index_limit
            indices.append(
                RegionalSchoolIndex(
                    run_id=run_id,
                    school_id=school_id,
                    region_id=region_id,
                    year=year,
                    value=value,
                    n_keys=n_keys,
                    p10=p10,
                    candidate=below_p10 or below_limit,
                    below_p10=below_p10,
                    below_limit=below_limit,
                )
            )
    RegionalSchoolIndex.objects.bulk_create(indices, batch_size=2000)
    RegionalSpread.objects.bulk_create(spreads)
    return {"regional_indices": len(indices), "regional_spreads": len(spreads)}


def municipality_results_compute(run_id: int | None, years: list[int]) -> int:
    """Replace the municipalities' sums of ``years``: one INSERT … SELECT over the group figures
    (participants × mean = the sum over the rows, marks × share = the count of marks)."""
    years = sorted({int(y) for y in years})
    if not years:
        return 0
    MunicipalityResult.objects.filter(year__in=years).delete()
    placeholders = ", ".join(["%s"] * len(years))
    with connection.cursor() as c:
        c.execute(
            f"""
            INSERT INTO {_q(MunicipalityResult)} (run_id, municipality_id, year, procedure_id, subject_id,
                participants, sum_percent, with_mark, n_fail, n_quality)
            SELECT %s, s.municipality_id, gr.year, gr.procedure_id, gr.subject_id, SUM(gr.participants),
                   SUM(gr.mean_percent * gr.participants), SUM(gr.with_mark),
                   SUM(COALESCE(gr.share_fail, 0) * gr.with_mark), SUM(COALESCE(gr.quality_rate, 0) * gr.with_mark)
            FROM {_q(GroupResult)} gr JOIN {_q(School)} s ON s.id = gr.school_id
            WHERE gr.year IN ({placeholders})
            GROUP BY s.municipality_id, gr.year, gr.procedure_id, gr.subject_id
            """,
            [run_id, *years],
        )
        return c.rowcount


def on_analysis_computed(sender, run, years, **kwargs) -> dict:
    counts = regional_index_compute(run.pk, years, Thresholds(**run.thresholds) if run.thresholds else None)
    counts["municipality_results"] = municipality_results_compute(run.pk, years)
    return counts
