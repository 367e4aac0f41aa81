"""Run every benchmark one after another (`make bench`), each in its own database.

    .venv/bin/python bench/run.py [assessment] [reports] [load] [pages] [scale]

The databases (opora_bench_assessment, opora_bench, opora_bench_scale) are created when missing on the
PostgreSQL of BENCH_PG (default postgres://postgres@127.0.0.1:5432); the figures go to
the console and bench/out/.  See bench/README.md for what each one measures."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
SUITES = {
    "assessment": ("opora_bench_assessment", ["bench/assessment/run.py", "--schools", "1000", "--years", "3"]),
    "reports": ("opora_bench", ["bench/reports/run.py"]),
    "load": ("opora_bench", ["bench/load/run.py"]),  # reuses the dataset the reports benchmark builds
    # the cold pages in process: CPU time, query count and SQL time per page (cache off)
    "pages": ("opora_bench", ["bench/load/inprocess.py", "--requests", "50"]),
    # the full analysis at ≈ 5 M and ≈ 20 M result rows (3,000 schools, four years)
    "scale": ("opora_bench_scale", ["bench/assessment/run.py", "--schools", "3000", "--scale"]),
}


def ensure_database(name: str) -> None:
    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as c:
        c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not c.fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def main(names: list[str]) -> int:
    failed = []
    for name in names or list(SUITES):
        database, command = SUITES[name]
        ensure_database(database)
        env = {**os.environ, "DATABASE_URL": f"{PG}/{database}"}
        print(f"=== {name}: {' '.join(command)} (database {database})", flush=True)
        if subprocess.run([sys.executable, *command], cwd=ROOT, env=env).returncode:
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    unknown = set(sys.argv[1:]) - set(SUITES)
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(SUITES)}")
    sys.exit(main(sys.argv[1:]))
