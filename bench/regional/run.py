"""Benchmark of the regional comparison (issue 18): the dashboard page and the API's
municipality summary for a region of 50 municipalities and 3,000 schools, timed in process
with the generation cache off (every request computes every figure: «cold»).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench_regional .venv/bin/python bench/regional/run.py

The data: 24 group results per school and year (two years), indices, spreads and
effectiveness per municipality, 10 % of the schools ШНОР with curators, three visits and two
recommendations each, a roadmap with two reports, five held events per municipality with
attendance.  Prints p50/p95 and the queries of each request, beside a one-query view timed in the same
run (``/healthz``: the machine's load at the time); writes bench/out/regional.json."""

from __future__ import annotations

import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# --root DIR: time another checkout's code (e.g. `git archive` of main) with this harness
CODE = Path(sys.argv[sys.argv.index("--root") + 1]).resolve() if "--root" in sys.argv else ROOT
sys.path.insert(0, str(ROOT / "bench"))  # cpu.py
sys.path.insert(0, str(CODE))
os.chdir(CODE)  # Django's set-up puts the working directory on the path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opora_bench_regional")
os.environ["OPORA_CACHE_ENABLED"] = "0"
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
MUNICIPALITIES = int(os.environ.get("BENCH_MUNICIPALITIES", "50"))
SCHOOLS_EACH = int(os.environ.get("BENCH_SCHOOLS_EACH", "60"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def build(year: int):
    from django.utils import timezone

    from accounts.models import Role, User
    from assessment.models import GroupResult, Procedure, ProgrammeEffect, SchoolIndex, Spread, Subject
    from core.years import academic_year_bounds
    from curators.models import CuratorAssignment, Recommendation, Visit
    from events.models import Event, Registration
    from regional.models import RegionalSchoolIndex, RegionalSpread
    from roadmaps.models import ProgressReport, Roadmap
    from schools.models import Municipality, Order, Region, School, SchoolStatus, sort_key

    region, created = Region.objects.get_or_create(name="Бенчмарк-край", defaults={"code": "99"})
    user, _ = User.objects.get_or_create(
        username="bench_regional", defaults={"role": Role.REGIONAL_COORDINATOR, "region": region}
    )
    if not created and Municipality.objects.filter(region=region).count() == MUNICIPALITIES:
        return region, user
    procedures = list(Procedure.objects.filter(code__in=["ВПР", "ОГЭ", "ЕГЭ"]))
    subjects = list(Subject.objects.all()[:4])
    curator = User.objects.create(username=f"bench_curator_{time.time_ns()}", role=Role.CURATOR)
    first, _last = academic_year_bounds(year)
    now = timezone.now()
    for m in range(MUNICIPALITIES):
        muni = Municipality.objects.create(region=region, name=f"Район {m:02d}")
        schools = School.objects.bulk_create(
            [
                School(
                    municipality=muni,
                    code=f"B{m:02d}{s:03d}",
                    name=f"Школа {s}",
                    short_name=f"СШ № {s}",
                    sort_name=sort_key(f"СШ № {s}"),
                )
                for s in range(SCHOOLS_EACH)
            ]
        )
        groups, indices, regional = [], [], []
        for k, school in enumerate(schools):
            for y in (year - 1, year):
                for p in procedures:
                    for subj in subjects:
                        for grade in (5, 9):
                            mean = 40 + (k * 7 + grade + y) % 45
                            groups.append(
                                GroupResult(
                                    school=school,
                                    year=y,
                                    procedure=p,
                                    subject=subj,
                                    grade=grade,
                                    participants=25,
                                    mean_score=mean / 5,
                                    mean_percent=mean,
                                    with_mark=25,
                                    share_fail=0.08,
                                    success_rate=0.92,
                                    quality_rate=0.5,
                                    with_both=0,
                                )
                            )
                value = ((k * 37) % 100 - 50) / 30
                indices.append(
                    SchoolIndex(
                        school=school,
                        municipality=muni,
                        year=y,
                        value=value,
                        n_keys=24,
                        p10=-1.3,
                        candidate=value < -1.3,
                    )
                )
                regional.append(
                    RegionalSchoolIndex(
                        school=school, region=region, year=y, value=value, n_keys=24, p10=-1.3, candidate=value < -1.3
                    )
                )
        GroupResult.objects.bulk_create(groups, batch_size=5000)
        SchoolIndex.objects.bulk_create(indices)
        RegionalSchoolIndex.objects.bulk_create(regional)
        for y in (year - 1, year):
            Spread.objects.create(municipality=muni, year=y, schools=SCHOOLS_EACH, p10=-1.3, p90=1.3, spread=2.6)
            ProgrammeEffect.objects.create(
                municipality=muni, year=y, participants=6, rose=3, left_status=2, share_rose=0.5, share_left=1 / 3
            )
        order = Order.objects.create(
            municipality=muni, region=region, number="1", date=first, issuer="УО", title="ШНОР"
        )
        low = schools[:: max(SCHOOLS_EACH // 6, 1)]
        SchoolStatus.objects.bulk_create(
            [SchoolStatus(school=s, kind="low_results", year_from=year - 1, order=order) for s in low]
        )
        CuratorAssignment.objects.bulk_create([CuratorAssignment(curator=curator, school=s, year=year) for s in low])
        visits = Visit.objects.bulk_create(
            [
                Visit(school=s, curator=curator, kind="interview", date=first + datetime.timedelta(days=20 * i))
                for s in low
                for i in range(3)
            ]
        )
        Recommendation.objects.bulk_create(
            [
                Recommendation(visit=v, text="Рекомендация", due_date=first + datetime.timedelta(days=30 + i))
                for v in visits
                for i in range(2)
            ]
        )
        for s in low:
            roadmap = Roadmap.objects.create(
                school=s,
                title="ДК",
                year=year - 1,
                start_date=academic_year_bounds(year - 1)[0],
                end_date=academic_year_bounds(year - 1)[1],
            )
            for start, end in (
                (roadmap.start_date, datetime.date(year - 1, 12, 31)),
                (datetime.date(year, 1, 1), roadmap.end_date),
            ):
                ProgressReport.objects.create(
                    roadmap=roadmap,
                    period_start=start,
                    period_end=end,
                    due_date=end + datetime.timedelta(days=10),
                    status="approved",
                    submitted_at=now,
                )
        for e in range(5):
            start = timezone.make_aware(
                datetime.datetime.combine(first + datetime.timedelta(days=30 * e + 5), datetime.time(10))
            )
            event = Event.objects.create(
                municipality=muni,
                format="seminar",
                title=f"Семинар {e}",
                start=start,
                end=start + datetime.timedelta(hours=2),
            )
            Registration.objects.bulk_create(
                [
                    Registration(event=event, school=s, full_name=f"Учитель {i}", attended=True)
                    for s in low
                    for i in range(2)
                ]
            )
    from regional.analysis import municipality_results_compute

    municipality_results_compute(None, [year - 1, year])  # what the analysis keeps beside the groups
    for y in (year - 1, year):
        RegionalSpread.objects.create(
            region=region, year=y, schools=MUNICIPALITIES * SCHOOLS_EACH, p10=-1.3, p90=1.3, spread=2.6
        )
    return region, user


def timed(client, url: str, params: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params, secure=True)  # connection and templates loaded
    times, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(url, params, secure=True)
            times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(ctx)
    times.sort()
    from cpu import measure

    cpu = measure(lambda: client.get(url, params, secure=True), connection, RUNS)
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "queries": queries,
        "cpu_ms": cpu["cpu_mean_ms"],
        "pg_cpu_ms": cpu["pg_cpu_ms"],
        "total_cpu_ms": cpu["total_cpu_ms"],
    }


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    import schools
    from core.years import current_academic_year

    print(f"code under test: {Path(schools.__file__).parent.parent}")
    call_command("migrate", verbosity=0)
    year = current_academic_year() - 1
    t = time.perf_counter()
    _region, user = build(year)
    print(f"data: {MUNICIPALITIES} municipalities × {SCHOOLS_EACH} schools in {time.perf_counter() - t:.1f} s")
    client = Client()
    client.force_login(user)
    result = {
        "baseline_healthz_one_query": timed(client, "/healthz", {}),
        "dashboard": timed(client, "/regional/", {"year": year}),
        "dashboard_results_tab": timed(client, "/regional/", {"year": year, "group": "results"}),
        "api_summary_page_of_50": timed(
            client, "/api/v1/assessment/municipality-summary/", {"year": year, "page_size": 50}
        ),
        "region_schools_list": timed(client, "/regional/schools/", {"year": year}),
    }
    for name, figures in result.items():
        print(
            f"{name:28} p50 {figures['p50_ms']:7.1f} ms   p95 {figures['p95_ms']:7.1f} ms   {figures['queries']} queries   "
            f"CPU {figures['cpu_ms']:6.1f} + PostgreSQL {figures['pg_cpu_ms']:5.1f} = {figures['total_cpu_ms']:6.1f} ms  "
            f"load {os.getloadavg()[0]:.1f}"
        )
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "regional.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
