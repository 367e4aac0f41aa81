"""The context analysis (CONTEXT.md §2–§4) against the full results analysis, side by side in
one run (not part of `make test`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench_h17 \
        .venv/bin/python bench/assessment/context.py --schools 3000 --years 5

Creates (once) a synthetic municipality of N schools with Y years of results (bench/assessment/
run.py's loader: ≈ 1,700 rows per school-year) and a context row per school-year, then times,
alternating, three times each (median; VACUUM ANALYZE before each, not timed):
- the results analysis alone (``services.analysis_run`` with the context step switched off);
- the full analysis (``services.analysis_run``: the results, then the context in the same run);
- the context analysis alone (``socialcontext.services.context_analysis_run``).
Target: the full analysis takes at most 10 % longer than the results analysis alone.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as base
from django.db import connection

from assessment import services
from assessment.models import Result


def ensure_context(municipality, years) -> int:
    """A context row per school and year (the demo's generator, leaning with no index)."""
    from simple_history.utils import bulk_create_with_history

    from schools.models import School
    from socialcontext.demo import context_values
    from socialcontext.models import ContextSource, SchoolContext

    schools = list(School.objects.filter(municipality=municipality))
    have = set(SchoolContext.objects.filter(school__in=schools, year__in=years).values_list("school_id", "year"))
    rows = [
        SchoolContext(school=s, year=y, source=ContextSource.DEMO, **context_values(s.code, y, None, None))
        for s in schools
        for y in years
        if (s.pk, y) not in have
    ]
    bulk_create_with_history(rows, SchoolContext, batch_size=2000)
    return len(have) + len(rows)


def vacuum():
    base.vacuum()
    with connection.cursor() as c:
        c.execute(
            "VACUUM ANALYZE socialcontext_schoolcontext, socialcontext_schoolcontextfigure, "
            "socialcontext_contextfit, socialcontext_partnersuggestion"
        )


def results_only():
    with mock.patch("socialcontext.services.context_analysis", lambda years=None: {}):
        return services.analysis_run(trigger="bench-results")


def full():
    return services.analysis_run(trigger="bench-full")


def context_only():
    from socialcontext.services import context_analysis_run

    return context_analysis_run(trigger="bench-context")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=3000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--students", type=int, nargs=2, default=list(base.STUDENTS), help="min and max per grade")
    args = parser.parse_args()
    base.STUDENTS = tuple(args.students)
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL=postgres://…).")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    codes, muni = base.ensure_schools(args.schools)
    years = list(range(2022, 2022 + args.years))
    loaded = set(Result.objects.order_by().values_list("year", flat=True).distinct())
    if not set(years) <= loaded:
        base.reset()
        with tempfile.TemporaryDirectory() as d:
            t, rows = base.timed(lambda: base.load_region(codes, years, Path(d)))
        print(f"region loaded: {rows} rows in {t:.1f} s", flush=True)
    contexts = ensure_context(muni, years)
    print(
        f"machine load {base.load()}; {args.schools} schools × {len(years)} years, "
        f"{Result.objects.count()} result rows, {contexts} context rows",
        flush=True,
    )
    vacuum()
    full()  # warm: indices, flags and the context figures exist before timing
    times = {"results": [], "full": [], "context": []}
    counts = {}
    for i in range(args.repeat):
        for name, fn in (("results", results_only), ("full", full), ("context", context_only)):
            vacuum()
            t = time.perf_counter()
            out = fn()
            times[name].append(time.perf_counter() - t)
            if name == "full":
                counts = out.counts
        print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()), flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"load {base.load()}; medians: results analysis {med['results']:.2f} s, full analysis {med['full']:.2f} s, "
        f"context analysis alone {med['context']:.2f} s"
    )
    print(
        f"full ÷ results = {med['full'] / med['results']:.3f} (+{100 * (med['full'] / med['results'] - 1):.1f} %), "
        f"context alone ÷ results = {100 * med['context'] / med['results']:.1f} % (target ≤ 10 %)"
    )
    print(
        "counts of the full run:",
        {k: v for k, v in counts.items() if k.startswith(("context", "partner", "anom", "ind"))},
    )


if __name__ == "__main__":
    main()
