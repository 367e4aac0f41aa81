"""Task-level results benchmark (TASKS.md, issue 16; not part of `make test`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench_tasks \
        .venv/bin/python bench/assessment/tasks.py --import-rows 100000 --schools 1000 --years 3

Side by side in one run:
- import: the same 100,000 rows as a csv with 12 task columns (ВПР Математика 5, whose plan has
  12 tasks) and without them, end to end (parse, check, COPY + upsert) — target ≤ 1.5×;
- analysis: the task figures of TASKS.md §3 (skills.analysis.compute) over every result with task
  scores against a bare SQL aggregate of the same unnested scores — target ≤ 3×;
- the peak memory (RSS) of the process.
"""

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from assessment import services  # noqa: E402
from assessment.models import Result  # noqa: E402
from assessment.synthetic import HEADER, PLAN_HEADER, _split, plan_rows, task_plan  # noqa: E402

WORK = ("ВПР", "Математика", 5, 20)  # its plan has 12 tasks


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def ensure_schools(n: int) -> list[str]:
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
    return codes


def ensure_plans(years) -> None:
    from django.core.files.base import ContentFile

    from skills.models import TaskPlan
    from skills.services import PLAN_IMPORT

    if TaskPlan.objects.filter(year__in=list(years)).count() >= len(list(years)):
        return
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(PLAN_HEADER)
    writer.writerows(plan_rows(years))
    batch = PLAN_IMPORT.create(user=None, uploaded_file=ContentFile(buf.getvalue().encode(), name="plans.csv"))
    PLAN_IMPORT.confirm(batch=batch, user=None)


def rows(codes, years, n: int, seed: int, with_tasks: bool):
    """``n`` rows of WORK, spread over the schools and years, with or without its 12 task columns."""
    rnd = random.Random(seed)
    plan = task_plan(*WORK)
    maxima = [t[1] for t in plan]
    per = max(1, n // (len(codes) * len(years)))
    count = 0
    for year in years:
        for code in codes:
            for k in range(per):
                if count >= n:
                    return
                score = rnd.randint(0, 20)
                row = [
                    code,
                    f"{year}/{year + 1}",
                    *WORK[:3],
                    f"{code}-{year}-{k:05d}",
                    score,
                    20,
                    None,
                    None,
                    "T1",
                    "А",
                ]
                if with_tasks:
                    row += _split(score, maxima, [rnd.gauss(60, 15) for _ in maxima])
                yield row
                count += 1


def write(path, header, data) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(header)
        for r in data:
            w.writerow(["" if v is None else v for v in r])


def import_seconds(path: str) -> tuple[float, int]:
    t = time.perf_counter()
    batch = services.import_file(path)
    assert batch.status == "done", batch.errors[:3]
    return time.perf_counter() - t, batch.rows_total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument(
        "--analysis-rows", type=int, default=0, help="rows with task scores to analyse (0: what is stored)"
    )
    args = parser.parse_args()
    out = {"load_before": load()}
    years = list(range(2022, 2022 + args.years))
    codes = ensure_schools(args.schools)
    ensure_plans(years)
    labels = [t[0].replace("(", ".").rstrip(")") for t in task_plan(*WORK)]
    with tempfile.TemporaryDirectory() as tmp:
        bare, tasks = f"{tmp}/bare.csv", f"{tmp}/tasks.csv"
        # The same rows twice: students of another prefix year so both imports write new rows.
        write(bare, HEADER, rows(codes, [years[0]], args.import_rows, 1, False))
        write(
            tasks, HEADER + [f"Задание {label}" for label in labels], rows(codes, [years[1]], args.import_rows, 1, True)
        )
        t_bare, _n = import_seconds(bare)
        t_tasks, n_tasks = import_seconds(tasks)
    out["import"] = {
        "rows": n_tasks,
        "without_tasks_s": round(t_bare, 2),
        "with_12_tasks_s": round(t_tasks, 2),
        "ratio": round(t_tasks / t_bare, 2),
        "target": "≤ 1.5",
    }
    if args.analysis_rows:
        have = Result.objects.exclude(task_scores=None).count()
        if have < args.analysis_rows:
            with tempfile.TemporaryDirectory() as tmp:
                path = f"{tmp}/more.csv"
                write(
                    path,
                    HEADER + [f"Задание {label}" for label in labels],
                    rows(codes, [years[2]], args.analysis_rows - have, 2, True),
                )
                import_seconds(path)
    from skills import analysis

    with connection.cursor() as c:
        c.execute("ANALYZE assessment_result")
        t = time.perf_counter()
        c.execute(
            """SELECT r.school_id, r.year, r.procedure_id, r.subject_id, r.grade, u.ord, SUM(u.score), COUNT(*)
               FROM assessment_result r CROSS JOIN LATERAL unnest(r.task_scores) WITH ORDINALITY AS u(score, ord)
               WHERE r.task_scores IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6"""
        )
        c.fetchall()
        t_sql = time.perf_counter() - t
    from django.db import transaction

    t = time.perf_counter()
    with transaction.atomic():
        counts = analysis.compute(None, years, analysis.Thresholds.from_settings())
    t_an = time.perf_counter() - t
    out["analysis"] = {
        "results_with_tasks": Result.objects.exclude(task_scores=None).count(),
        "bare_unnest_aggregate_s": round(t_sql, 2),
        "task_figures_s": round(t_an, 2),
        "ratio": round(t_an / t_sql, 2),
        "target": "≤ 3",
        "counts": counts,
    }
    out["peak_rss_mb"] = round(rss_mb())
    out["load_after"] = load()
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
