"""Benchmarks of the documents (issue 7): the municipal report for a region of 1,000
schools against a plain WeasyPrint baseline rendered in the same run, the school report,
and the API list page against a one-query view on the same gunicorn (wrk on loopback).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench .venv/bin/python bench/reports/run.py
    DATABASE_URL=… .venv/bin/python bench/reports/run.py --api-only   # only the API part

Prints a table and writes bench/out/reports.json.  Not run by `make test`."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opora_bench")
os.environ.setdefault("OPORA_VAR_DIR", str(ROOT / "bench" / "out" / "var"))
N_SCHOOLS = int(os.environ.get("BENCH_SCHOOLS", "1000"))
# Production settings for the benchmark processes and the gunicorn they start (one
# SECRET_KEY, so sessions made here are valid there).
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-" + "k" * 50,
    "ALLOWED_HOSTS": "127.0.0.1",
    "CONN_MAX_AGE": "60",
    "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
}
os.environ.update(PRODUCTION_ENV)


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_dataset():
    """A region with one municipality of N schools, ШНОР statuses and full risk profiles."""
    from accounts.models import Role, User
    from core.years import current_academic_year
    from schools.models import (
        Municipality,
        Order,
        Region,
        RiskAssessment,
        RiskFactor,
        School,
        SchoolStatus,
        StatusKind,
        sort_key,
    )

    year = current_academic_year()
    region, _ = Region.objects.get_or_create(name="Бенчмарк-область", defaults={"code": "99"})
    muni, created = Municipality.objects.get_or_create(
        region=region, name="Бенчмарк-округ", defaults={"education_body": "Управление образования Бенчмарк-округа"}
    )
    if created or muni.schools.count() < N_SCHOOLS:
        School.objects.filter(municipality=muni).delete()
        School.objects.bulk_create(
            [
                School(
                    municipality=muni,
                    code=f"BENCH{i:05d}",
                    short_name=f"СШ № {i}",
                    sort_name=sort_key(f"СШ № {i}"),  # bulk_create skips School.save()
                    name=f"Средняя школа № {i}",
                    students_count=300 + i % 700,
                    teachers_count=20 + i % 50,
                )
                for i in range(1, N_SCHOOLS + 1)
            ]
        )
        order = Order.objects.create(
            region=region,
            municipality=muni,
            number="1",
            date=f"{year}-09-01",
            issuer="УО",
            title="Об утверждении перечня ШНОР",
        )
        schools = list(muni.schools.order_by("id"))
        SchoolStatus.objects.bulk_create(
            [
                SchoolStatus(school=s, kind=StatusKind.LOW_RESULTS, year_from=year - (i % 3), order=order)
                for i, s in enumerate(schools[: N_SCHOOLS // 10])
            ]
        )
        factors = list(RiskFactor.objects.filter(is_active=True))
        levels = ["high", "medium", "low", "none"]
        RiskAssessment.objects.bulk_create(
            [
                RiskAssessment(school=s, year=year, factor=f, level=levels[(i + j) % 4])
                for i, s in enumerate(schools)
                for j, f in enumerate(factors)
            ]
        )
    user, _ = User.objects.get_or_create(
        username="bench_coord", defaults={"role": Role.MUNICIPAL_COORDINATOR, "municipality": muni}
    )
    user.set_password("bench-password-1")
    user.save()
    return muni, user, year


def measure(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def baseline_pdf():
    """The reference: a plain table of 1,000 schools and 20 SVG charts through WeasyPrint."""
    from weasyprint import HTML

    from core.charts import bar_chart

    rows = "".join(
        f"<tr><td>{i}</td><td>Средняя школа № {i}</td><td>BENCH{i:05d}</td><td>{300 + i % 700}</td>"
        f"<td>{20 + i % 50}</td><td>{(i * 37) % 100}</td><td>{(i * 13) % 100}</td></tr>"
        for i in range(1, 1001)
    )
    charts = "".join(
        f"<div>{bar_chart([str(y) for y in range(2018, 2026)], [(k * y) % 100 for y in range(8)])}</div>"
        for k in range(1, 21)
    )
    html = (
        f"<html><head><style>@page{{size:A4;margin:20mm}} table{{border-collapse:collapse;width:100%;font-size:9pt}}"
        f"td,th{{border:0.5pt solid #444;padding:2pt}} thead{{display:table-header-group}}</style></head><body>"
        f"<table><thead><tr><th>№</th><th>Школа</th><th>Код</th><th>Уч.</th><th>Пед.</th><th>A</th><th>B</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>{charts}</body></html>"
    )
    document = HTML(string=html).render()
    return document.write_pdf(), len(document.pages)


def in_child(code: str) -> dict:
    """Run a measurement in a fresh interpreter so its peak memory is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", code], capture_output=True, text=True, env=os.environ, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(code: str) -> None:
    setup_django()
    muni, _user, year = build_dataset()
    from reports.documents import municipal_report, school_report
    from reports.services import document_render

    if code == "baseline":
        seconds, (pdf, pages) = measure(baseline_pdf)
    elif code == "municipal":
        seconds, (pdf, _checksum, pages) = measure(lambda: document_render(municipal_report(muni, year), "pdf"))
    else:
        school = muni.schools.order_by("id").first()
        seconds, (pdf, _checksum, pages) = measure(lambda: document_render(school_report(school, year), "pdf"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 3), "pages": pages, "peak_mb": round(peak_mb), "bytes": len(pdf)}))


def wrk(url: str, token: str | None = None, seconds: int = 10, connections: int = 20) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Token {token}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))
    non2xx = next((int(line.split()[-1]) for line in out.splitlines() if "Non-2xx" in line), 0)
    return {"rps": rps, "non_2xx": non2xx}


def api_throughput(user) -> dict:
    """gunicorn (2 sync workers, production settings, Redis as in production) on loopback;
    wrk against /api/v1/schools/?page_size=50 and against /healthz (one query), same server;
    then the API list again with the generation cache off (every request computes)."""
    from django.db import connection

    from accounts.models import ApiToken

    _token, key = ApiToken.issue(user, read_only=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum keeps them in production
    result = {}
    for cache in (True, False):
        minimal, api = _api_run(key, cache)
        part = {
            "one_query_view_rps": minimal["rps"],
            "api_list_rps": api["rps"],
            "ratio": round(api["rps"] / minimal["rps"], 3),
            "errors": minimal["non_2xx"] + api["non_2xx"],
            "load_average": round(os.getloadavg()[0], 2),
        }
        if cache:
            result.update(part)
        else:
            result["uncached"] = part
    return result


def _api_run(key: str, cache: bool) -> tuple[dict, dict]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "API_THROTTLE_USER": "1000000/min",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        "CACHE_PREFIX": "bench-reports",
        "OPORA_CACHE_ENABLED": "1" if cache else "0",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        time.sleep(3)
        base = f"http://127.0.0.1:{port}"
        wrk(f"{base}/healthz", seconds=2)  # warm up
        minimal = wrk(f"{base}/healthz")
        api = wrk(f"{base}/api/v1/schools/?page_size=50", token=key)
    finally:
        server.terminate()
        server.wait(10)
    return minimal, api


def main() -> None:
    setup_django()
    _muni, user, _year = build_dataset()
    results = {"schools": N_SCHOOLS}
    if "--api-only" in sys.argv:  # only the API against the one-query view (≈ 1 min)
        results["api"] = api_throughput(user)
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return
    base = in_child("baseline")
    mun = in_child("municipal")
    school = in_child("school")
    results["baseline"], results["municipal"], results["school"] = base, mun, school
    per_page_ratio = (mun["seconds"] / mun["pages"]) / (base["seconds"] / base["pages"])
    results["municipal_vs_baseline_per_page"] = round(per_page_ratio, 2)
    results["api"] = api_throughput(user)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "reports.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
