"""Assessment benchmarks (not part of `make test`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench_assessment \
        .venv/bin/python bench/assessment/run.py --schools 1000 --years 3

Creates (once) a synthetic municipality of N schools, then measures side by side in one run:
- import: a 100,000-row xlsx end to end (parse, validate, COPY + upsert, analysis queued)
  against python-calamine alone reading the same file (ratio);
- import: a 1,000,000-row csv end to end, and the peak memory (RSS) of the process;
- analysis: every figure, flag and index over all the data against the bare group-aggregate
  query on the same database (ratio);
- pages: the municipal table and a school's results page (p95 of warm requests, query counts).
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"  # the analysis after an import is queued, not run, as in production
os.environ.pop("REDIS_URL", None)  # in-memory broker: queuing costs nothing measurable

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from assessment import services  # noqa: E402
from assessment.models import ImportBatch, ReplacedResult, Result  # noqa: E402
from assessment.synthetic import generate, write_file  # noqa: E402

STUDENTS = (60, 180)  # per grade and school: ≈ 1,700 rows per school-year, ≈ 5 M rows for 1,000 × 3


def timed(fn, repeat=1):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_schools(n: int) -> tuple[list[str], object]:
    from schools.models import Municipality, Region, School

    region, _ = Region.objects.get_or_create(name="Бенчмарк-область", defaults={"code": "99"})
    muni, _ = Municipality.objects.get_or_create(region=region, name="Бенчмарк-округ")
    codes = [f"SYN{i:05d}" for i in range(1, n + 1)]
    existing = set(School.objects.filter(code__in=codes).values_list("code", flat=True))
    School.objects.bulk_create(
        [
            School(municipality=muni, code=c, name=f"Школа {c}", short_name=f"Школа {c}")
            for c in codes
            if c not in existing
        ]
    )
    return codes, muni


def reset():
    with connection.cursor() as c:
        c.execute(f"TRUNCATE {Result._meta.db_table}, {ReplacedResult._meta.db_table}")
    ImportBatch.objects.all().delete()


def bench_xlsx(codes, tmp: Path, rows: int) -> dict:
    from python_calamine import CalamineWorkbook

    path = tmp / "bench100k.xlsx"
    write_file(str(path), islice(generate(codes, [2024], seed=11, students=STUDENTS), rows))

    def calamine_only():
        wb = CalamineWorkbook.from_path(str(path))
        return len(wb.get_sheet_by_index(0).to_python())

    t_read, n = timed(calamine_only, 3)
    reset()
    t_first, batch = timed(lambda: services.import_file(str(path)))
    assert batch.status == "done", batch.errors[:3]
    t_again, batch = timed(lambda: services.import_file(str(path)), 3)  # re-import: every row replaced
    return {
        "rows": n - 1,
        "calamine_s": t_read,
        "import_new_s": t_first,
        "import_replace_s": t_again,
        "ratio_new": t_first / t_read,
        "ratio_replace": t_again / t_read,
    }


def bench_csv(codes, tmp: Path, rows: int) -> dict:
    from django.conf import settings

    # A million rows of this csv are ≈ 92 MB: above the 50 MB upload limit of the pages and
    # the API, so the benchmark (like `import_results` on a server) lifts the limit.
    settings.RESULTS_UPLOAD_MAX_BYTES = 256 * 2**20
    path = tmp / "bench1m.csv"
    write_file(str(path), islice(generate(codes, [2017, 2018, 2019, 2020], seed=12, students=STUDENTS), rows))
    before = rss_mb()
    t, batch = timed(lambda: services.import_file(str(path)))
    assert batch.status == "done", batch.errors[:3]
    return {"rows": batch.rows_total, "import_s": t, "peak_rss_mb": rss_mb(), "rss_before_mb": before}


def load_region(codes, years, tmp: Path) -> int:
    """All schools × years through the ordinary import, one year-file at a time."""
    from django.conf import settings

    settings.RESULTS_UPLOAD_MAX_BYTES = 256 * 2**20
    total = 0
    for y in years:
        for part in range(0, len(codes), 500):  # files of ≤ 1,000,000 rows
            path = tmp / f"region{y}-{part}.csv"
            total += write_file(
                str(path), generate(codes[part : part + 500], [y], seed=100 + y + part, students=STUDENTS)
            )
            batch = services.import_file(str(path))
            assert batch.status == "done", batch.errors[:3]
            path.unlink()
    return total


BARE = """
    SELECT r.school_id, s.municipality_id, r.year, r.procedure_id, r.subject_id, r.grade,
           COUNT(*), AVG(r.score), AVG(100.0 * r.score / r.max_score), COUNT(r.mark),
           SUM(CASE WHEN r.mark = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN r.mark >= 3 THEN 1 ELSE 0 END),
           SUM(CASE WHEN r.mark >= 4 THEN 1 ELSE 0 END)
    FROM assessment_result r JOIN schools_school s ON s.id = r.school_id
    GROUP BY r.school_id, s.municipality_id, r.year, r.procedure_id, r.subject_id, r.grade
"""


def bench_analysis() -> dict:
    def bare():
        with connection.cursor() as c:
            c.execute(f"SELECT COUNT(*) FROM ({BARE}) g")
            return c.fetchone()[0]

    t_bare, groups = timed(bare, 3)
    t_full, run = timed(lambda: services.analysis_run(trigger="bench"), 3)
    return {
        "rows": Result.objects.count(),
        "groups": groups,
        "bare_s": t_bare,
        "analysis_s": t_full,
        "ratio": t_full / t_bare,
        "counts": run.counts,
    }


def bench_pages(muni) -> dict:
    from accounts.models import Role, User
    from schools.models import School

    user, _ = User.objects.get_or_create(
        username="bench_coordinator", defaults={"role": Role.MUNICIPAL_COORDINATOR, "municipality": muni}
    )
    client = Client()
    client.force_login(user)
    school = School.objects.filter(municipality=muni).order_by("code").first()
    out = {}
    for name, url in (
        ("municipal_table", f"/assessment/?municipality={muni.pk}"),
        ("school_page", f"/assessment/school/{school.pk}/"),
    ):
        client.get(url)
        times = []
        for _ in range(20):
            t = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append(time.perf_counter() - t)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        times.sort()
        out[name] = {"p95_ms": 1000 * times[int(0.95 * len(times)) - 1], "queries": len(ctx.captured_queries)}
    return out


def main():
    global STUDENTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--students", type=int, nargs=2, default=list(STUDENTS), help="min and max per grade")
    parser.add_argument("--skip-import", action="store_true", help="only load the region, analyse, time pages")
    parser.add_argument("--analysis-only", action="store_true", help="reuse the loaded region: analyse, time pages")
    parser.add_argument("--import-only", action="store_true", help="only the xlsx and csv import benchmarks")
    args = parser.parse_args()
    STUDENTS = tuple(args.students)
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL=postgres://…).")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"machine: {os.cpu_count()} CPU, {os.uname().sysname} {os.uname().release}; python {sys.version.split()[0]}")
    codes, muni = ensure_schools(args.schools)
    with tempfile.TemporaryDirectory() as d:
        if args.analysis_only:
            args.skip_import = True
        tmp = Path(d)
        if not args.skip_import:
            print("xlsx import:", bench_xlsx(codes, tmp, args.xlsx_rows), flush=True)
            reset()
            print("csv import:", bench_csv(codes, tmp, args.csv_rows), flush=True)
            if args.import_only:
                return
        if not args.analysis_only:
            reset()
            t, rows = timed(lambda: load_region(codes, list(range(2022, 2022 + args.years)), tmp))
            print(f"region loaded: {rows} rows in {t:.1f} s", flush=True)
    print("analysis:", bench_analysis(), flush=True)
    print("pages:", bench_pages(muni), flush=True)


if __name__ == "__main__":
    main()
