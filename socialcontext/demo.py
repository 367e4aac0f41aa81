"""Demo context data: for every demo municipality and every year with school indices, a
plausible context row per school — its shares drawn around the municipality's typical values
and leaning with the school's index (better-off families, better results; not perfectly:
some schools do better than their context, some worse), marked as demo data.  Deterministic;
idempotent (rows already present — imported or corrected — are left as they are); the
context analysis follows."""

import hashlib
import random

from simple_history.utils import bulk_create_with_history

from assessment.models import SchoolIndex
from socialcontext.models import ContextSource, SchoolContext
from socialcontext.services import context_analysis_run

SEED = 17


def _rnd(*parts) -> random.Random:
    return random.Random(int(hashlib.sha256(":".join(map(str, (SEED, *parts))).encode()).hexdigest()[:12], 16))


def _clamp(value: float, hi: float = 100.0) -> float:
    return round(min(hi, max(0.0, value)), 1)


def context_values(code: str, year: int, index: float | None, students: int | None) -> dict:
    """One school's demo context in one year: a lasting favourability of the school (its own
    draw, leaning with the index) and a small drift from year to year."""
    school = _rnd(code)
    lasting = 0.55 * (index if index is not None else 0.0) + 0.8 * school.gauss(0, 1)
    year_rnd = _rnd(code, year)
    f = lasting + 0.15 * year_rnd.gauss(0, 1)
    n = students or int(school.uniform(180, 1300))
    values = {
        "students": max(20, int(n * (1 + 0.03 * year_rnd.gauss(0, 1)))),
        "higher_education": _clamp(28 + 11 * f + 3 * year_rnd.gauss(0, 1)),
        "single_parent": _clamp(24 - 5 * f + 2 * year_rnd.gauss(0, 1)),
        "on_register": _clamp(2.5 - 1.2 * f + 0.5 * year_rnd.gauss(0, 1)),
        "non_native": _clamp(3 - 1.5 * f + 1.5 * abs(school.gauss(0, 1)) + 0.5 * year_rnd.gauss(0, 1)),
        "special_needs": _clamp(6 - 1.5 * f + 1.0 * year_rnd.gauss(0, 1)),
    }
    if school.random() < 0.08:  # a few schools never report one of the shares
        values[school.choice(["non_native", "special_needs"])] = None
    return values


def load(ctx) -> None:
    schools = [s for s in ctx.schools.values() if s.is_active]
    if not schools:
        return
    indices = {
        (i.school_id, i.year): i.value
        for i in SchoolIndex.objects.filter(school__in=schools).only("school_id", "year", "value")
    }
    years = sorted({y for _s, y in indices})
    if not years:
        return
    existing = set(SchoolContext.objects.filter(school__in=schools, year__in=years).values_list("school_id", "year"))
    rows = [
        SchoolContext(
            school=s,
            year=y,
            source=ContextSource.DEMO,
            **context_values(s.code, y, indices.get((s.pk, y)), s.students_count),
        )
        for s in schools
        for y in years
        if (s.pk, y) not in existing
    ]
    bulk_create_with_history(rows, SchoolContext, batch_size=500, default_change_reason="demo data")
    context_analysis_run(years=years, trigger="demo")
