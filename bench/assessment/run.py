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
import json
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

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from assessment import services  # noqa: E402
from assessment.models import ImportBatch, ReplacedResultPack, Result  # noqa: E402
from assessment.synthetic import generate, write_file  # noqa: E402

STUDENTS = (60, 180)  # per grade and school: ≈ 1,700 rows per school-year, ≈ 5 M rows for 1,000 × 3


def timed(fn, repeat=1):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def load() -> str:
    """Load average (1, 5, 15 min): the machine may be shared with other runs."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_schools(n: int) -> tuple[list[str], object]:
    from schools.models import Municipality, Region, School, sort_key

    region, _ = Region.objects.get_or_create(name="Бенчмарк-область", defaults={"code": "99"})
    muni, _ = Municipality.objects.get_or_create(region=region, name="Бенчмарк-округ")
    codes = [f"SYN{i:05d}" for i in range(1, n + 1)]
    existing = set(School.objects.filter(code__in=codes).values_list("code", flat=True))
    School.objects.bulk_create(
        [
            School(
                municipality=muni, code=c, name=f"Школа {c}", short_name=f"Школа {c}", sort_name=sort_key(f"Школа {c}")
            )
            for c in codes
            if c not in existing
        ]
    )
    return codes, muni


def reset():
    with connection.cursor() as c:
        c.execute(f"TRUNCATE {Result._meta.db_table}, {ReplacedResultPack._meta.db_table}")
    ImportBatch.objects.all().delete()


ASSESSMENT_TABLES = (
    "assessment_result",
    "assessment_replacedresultpack",
    "assessment_groupresult",
    "assessment_flag",
    "assessment_riskzonecount",
    "assessment_schoolindex",
)


def vacuum():
    """What autovacuum does between imports and analyses in production (the CI server here runs
    with autovacuum = off, so without it every repetition would wade through the dead rows of
    the previous ones). Not timed."""
    with connection.cursor() as c:
        c.execute(f"VACUUM ANALYZE {', '.join(ASSESSMENT_TABLES)}")


def bench_xlsx(codes, tmp: Path, rows: int) -> dict:
    from python_calamine import CalamineWorkbook

    path = tmp / "bench100k.xlsx"
    write_file(str(path), islice(generate(codes, [2024], seed=11, students=STUDENTS), rows))

    def calamine_only():
        wb = CalamineWorkbook.from_path(str(path))
        return len(wb.get_sheet_by_index(0).to_python())

    t_read, n = timed(calamine_only, 3)

    def first_import():
        reset()  # not timed: new rows each time
        t = time.perf_counter()
        batch = services.import_file(path=str(path))
        return time.perf_counter() - t, batch

    runs = [first_import() for _ in range(3)]
    t_first, batch = statistics.median(t for t, _b in runs), runs[-1][1]
    assert batch.status == "done", batch.errors[:3]

    def again():
        vacuum()  # not timed
        t = time.perf_counter()
        batch = services.import_file(path=str(path))  # re-import: every row replaced
        return time.perf_counter() - t, batch

    runs = [again() for _ in range(3)]
    t_again, batch = statistics.median(t for t, _b in runs), runs[-1][1]
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
    t, batch = timed(lambda: services.import_file(path=str(path)))
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
            batch = services.import_file(path=str(path))
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

# The two scans of the rows that the analysis makes (assessment/analysis.py steps 1 and 6), for DuckDB.
SCANS = [
    """
    SELECT r.school_id, r.year, r.procedure_id, r.subject_id, r.grade, r.teacher_code,
           COUNT(*), SUM(r.score), SUM(100.0 * r.score / r.max_score), COUNT(r.mark),
           SUM(CASE WHEN r.mark = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN r.mark >= 3 THEN 1 ELSE 0 END),
           SUM(CASE WHEN r.mark >= 4 THEN 1 ELSE 0 END),
           SUM(CASE WHEN r.mark IS NOT NULL AND r.term_mark IS NOT NULL THEN 1 ELSE 0 END),
           SUM(CASE WHEN r.mark < r.term_mark THEN 1 ELSE 0 END), SUM(CASE WHEN r.mark = r.term_mark THEN 1 ELSE 0 END),
           SUM(CASE WHEN r.mark > r.term_mark THEN 1 ELSE 0 END)
    FROM assessment_result r
    GROUP BY r.school_id, r.year, r.procedure_id, r.subject_id, r.grade, r.teacher_code
    """,
    """
    SELECT school_id, year, subject_id, COUNT(*) FROM (
        SELECT DISTINCT r.school_id, r.year, r.subject_id, r.student_code FROM assessment_result r
        WHERE r.grade IN (9, 11) AND r.procedure_id IN ({risk}) AND 100.0 * r.score / r.max_score < 40
    ) s GROUP BY school_id, year, subject_id
    """,
]


def _duckdb():
    """DuckDB is a benchmark-only dependency (bench/requirements.txt), installed on first use."""
    try:
        import duckdb
    except ImportError:
        import subprocess

        requirements = ROOT / "bench" / "requirements.txt"
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", str(requirements)], check=True)
        import duckdb
    return duckdb


def bench_duckdb(tmp: Path) -> dict:
    """The same rows in DuckDB (in memory): the bare group aggregate and the analysis's two scans."""
    from assessment.models import Procedure

    duckdb = _duckdb()
    rows_csv, schools_csv = tmp / "results.csv", tmp / "schools.csv"
    cols = "school_id, year, procedure_id, subject_id, grade, student_code, score, max_score, mark, term_mark, teacher_code"
    with connection.cursor() as c, open(rows_csv, "w") as out, open(schools_csv, "w") as sch:
        c.cursor.copy_expert(f"COPY (SELECT {cols} FROM assessment_result) TO STDOUT WITH (FORMAT csv, HEADER)", out)
        c.cursor.copy_expert(
            "COPY (SELECT id, municipality_id FROM schools_school) TO STDOUT WITH (FORMAT csv, HEADER)", sch
        )
    db = duckdb.connect()
    db.execute(
        f"""CREATE TABLE assessment_result AS SELECT * FROM read_csv('{rows_csv}', header = true, columns = {{
            'school_id': 'BIGINT', 'year': 'SMALLINT', 'procedure_id': 'BIGINT', 'subject_id': 'BIGINT',
            'grade': 'SMALLINT', 'student_code': 'VARCHAR', 'score': 'DOUBLE', 'max_score': 'DOUBLE',
            'mark': 'SMALLINT', 'term_mark': 'SMALLINT', 'teacher_code': 'VARCHAR'}})"""
    )
    db.execute(f"CREATE TABLE schools_school AS SELECT * FROM read_csv('{schools_csv}', header = true)")
    rows_csv.unlink()
    risk = ", ".join(
        str(p) for p in Procedure.objects.filter(code__in=["РДР", "ККР", "ОГЭ", "ЕГЭ"]).values_list("pk", flat=True)
    )

    def run(sql):
        return lambda: len(db.execute(sql).fetchall())

    t_bare, groups = timed(run(BARE), 3)
    t_scans, _ = timed(lambda: [run(q.format(risk=risk))() for q in SCANS], 3)
    return {"version": duckdb.__version__, "groups": groups, "bare_s": t_bare, "scans_s": t_scans}


def bench_analysis(tmp: Path | None = None) -> dict:
    from assessment.analysis import WORK_MEM

    with connection.cursor() as c:
        c.execute("ANALYZE assessment_result")  # both sides plan with fresh statistics

    def bare(work_mem=None):
        # The rows are fetched, so the aggregates are computed (a COUNT(*) around the query let
        # PostgreSQL drop them); work_mem: the server's default, or the analysis's own.
        with transaction.atomic(), connection.cursor() as c:
            if work_mem:
                c.execute(f"SET LOCAL work_mem = '{work_mem}'")
            c.execute(BARE)
            return len(c.fetchall())

    vacuum()
    t_bare, groups = timed(bare, 3)
    t_bare_mem, _ = timed(lambda: bare(WORK_MEM), 3)

    def analyse():
        vacuum()  # not timed: the previous run's replaced outputs, as autovacuum would
        t = time.perf_counter()
        run = services.analysis_run(trigger="bench")
        return time.perf_counter() - t, run

    runs = [analyse() for _ in range(3)]
    t_full, run = statistics.median(t for t, _r in runs), runs[-1][1]
    out = {
        "rows": Result.objects.count(),
        "groups": groups,
        "bare_s": t_bare,
        "bare_same_work_mem_s": t_bare_mem,
        "analysis_s": t_full,
        "ratio": t_full / t_bare,
        "ratio_same_work_mem": t_full / t_bare_mem,
        "counts": run.counts,
    }
    vacuum()
    if tmp is not None:
        duck = bench_duckdb(tmp)
        out["duckdb"] = duck
        out["ratio_to_duckdb_scans"] = t_full / duck["scans_s"]
        out["ratio_bare_to_duckdb_bare"] = t_bare / duck["bare_s"]
    return out


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
        for _ in range(REQUESTS):
            t = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append(time.perf_counter() - t)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        times.sort()
        out[name] = {
            "p50_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * times[int(0.95 * len(times)) - 1],
            "queries": len(ctx.captured_queries),
        }
    return out


def grow_region(src_codes: list[str], dst_codes: list[str]) -> int:
    """Copy the results of the schools ``src_codes`` to the schools ``dst_codes`` (school by
    school, in order) with SQL: the same rows, years and distributions under other schools —
    a region several times larger without writing and importing its files.  Not timed."""
    from schools.models import School

    ids = dict(School.objects.filter(code__in=src_codes + dst_codes).values_list("code", "id"))
    pairs = [(ids[d], ids[src_codes[i % len(src_codes)]]) for i, d in enumerate(dst_codes)]
    cols = [f.column for f in Result._meta.concrete_fields if f.column not in ("id", "school_id")]
    with transaction.atomic(), connection.cursor() as c:
        c.execute("CREATE TEMP TABLE bench_map (dst bigint, src bigint) ON COMMIT DROP")
        c.executemany("INSERT INTO bench_map VALUES (%s, %s)", pairs)
        c.execute(
            f"INSERT INTO {Result._meta.db_table} (school_id, {', '.join(cols)}) "
            f"SELECT m.dst, {', '.join('r.' + col for col in cols)} FROM {Result._meta.db_table} r "
            "JOIN bench_map m ON m.src = r.school_id"
        )
        return c.rowcount


def temp_bytes() -> int:
    with connection.cursor() as c:
        c.execute("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
        return c.fetchone()[0]


def analysis_at_scale(repeat: int = 2) -> dict:
    """The full analysis (every year) timed ``repeat`` times after a VACUUM ANALYZE, with the
    peak RSS of this process and what PostgreSQL spilled to temporary files meanwhile."""
    vacuum()
    times, spilled = [], []
    for _ in range(repeat):
        vacuum()
        before = temp_bytes()
        t = time.perf_counter()
        run = services.analysis_run(trigger="bench")
        times.append(time.perf_counter() - t)
        spilled.append(temp_bytes() - before)
    return {
        "rows": Result.objects.count(),
        "analysis_s": min(times),
        "runs_s": [round(x, 2) for x in times],
        "temp_spilled_mb": round(max(spilled) / 2**20, 1),
        "peak_rss_mb": round(rss_mb()),
        "counts": run.counts,
        "load": load(),
    }


def bench_scale(tmp: Path, schools: int, years: list[int]) -> dict:
    """The full analysis at ≈ 5 M rows (a quarter of the schools, four years, through the
    ordinary import) and at ≈ 20 M (all the schools: the first quarter's rows copied to the
    other three quarters), in the same run.  Target: 20 M ≤ 4.5 × 5 M."""
    codes, _muni = ensure_schools(schools)
    quarter = codes[: schools // 4]
    reset()
    t, rows = timed(lambda: load_region(quarter, years, tmp))
    print(f"region of {len(quarter)} schools × {len(years)} years: {rows} rows in {t:.1f} s", flush=True)
    small = analysis_at_scale()
    print(f"load {load()}; analysis at {small['rows']} rows:", small, flush=True)
    t = time.perf_counter()
    added = grow_region(quarter, codes[len(quarter) :])
    print(f"grown by {added} rows in {time.perf_counter() - t:.1f} s", flush=True)
    large = analysis_at_scale()
    print(f"load {load()}; analysis at {large['rows']} rows:", large, flush=True)
    ratio = large["analysis_s"] / small["analysis_s"]
    out = {"small": small, "large": large, "rows_ratio": large["rows"] / small["rows"], "time_ratio": ratio}
    print(f"scale: {large['rows'] / small['rows']:.2f}× the rows, {ratio:.2f}× the time (target ≤ 4.5×)", flush=True)
    return out


REQUESTS = 100  # warm requests per page (20 made the p95 the second slowest of all: one GC pause decided it)


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
    parser.add_argument(
        "--scale",
        action="store_true",
        help="the analysis at ≈ 5 M and ≈ 20 M rows (--schools 3000: a quarter imported, then copied; four years)",
    )
    args = parser.parse_args()
    STUDENTS = tuple(args.students)
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL=postgres://…).")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"machine: {os.cpu_count()} CPU, {os.uname().sysname} {os.uname().release}; python {sys.version.split()[0]}")
    if args.scale:
        with tempfile.TemporaryDirectory() as d:
            result = bench_scale(Path(d), args.schools, list(range(2021, 2025)))
        out = ROOT / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        (out / "assessment-scale.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
        return
    codes, muni = ensure_schools(args.schools)
    with tempfile.TemporaryDirectory() as d:
        if args.analysis_only:
            args.skip_import = True
        tmp = Path(d)
        if not args.skip_import:
            print(f"load {load()}; xlsx import:", bench_xlsx(codes, tmp, args.xlsx_rows), flush=True)
            reset()
            print(f"load {load()}; csv import:", bench_csv(codes, tmp, args.csv_rows), flush=True)
            if args.import_only:
                return
        if not args.analysis_only:
            reset()
            t, rows = timed(lambda: load_region(codes, list(range(2022, 2022 + args.years)), tmp))
            print(f"region loaded: {rows} rows in {t:.1f} s", flush=True)
            vacuum()
        print(f"load {load()}; analysis:", bench_analysis(tmp), flush=True)
    print(f"load {load()}; pages:", bench_pages(muni), flush=True)
    print(f"load {load()} at the end")


if __name__ == "__main__":
    main()
