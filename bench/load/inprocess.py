"""Where a cold request's time goes: the pages of the load benchmark in process (Django test
client, production settings, the generation cache OFF), each asked N times as the
benchmark's coordinator: median and p95 in ms, the query count and the time in SQL, and
with ``--profile`` the functions that take the most (cProfile, cumulative).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench .venv/bin/python bench/load/inprocess.py
    DATABASE_URL=… .venv/bin/python bench/load/inprocess.py --profile / /schools/

Uses the dataset of bench/reports (built if missing)."""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# --root DIR: measure another checkout's code (e.g. `git archive` of main) with this harness
CODE = Path(sys.argv[sys.argv.index("--root") + 1]).resolve() if "--root" in sys.argv else ROOT
sys.path.insert(0, str(ROOT / "bench"))  # cpu.py
sys.path.insert(0, str(ROOT / "bench" / "reports"))
sys.path.insert(0, str(CODE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opora_bench")
os.environ["OPORA_CACHE_ENABLED"] = "0"
import run as _reports_bench  # noqa: E402,F401  (the production environment)

if CODE != ROOT:  # run.py put this checkout first again; set-up adds the working directory
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT]
    sys.path.insert(0, str(CODE))
    os.chdir(CODE)


def pages(school_ids: list[int], results_id: int | None = None) -> dict[str, tuple[str, dict]]:
    """``results_id``: a school with results rows (bench/assessment's region loaded into the same
    municipality), else the first school: the results pages measured with data, not empty."""
    results_id = results_id or school_ids[0]
    return {
        "healthz": ("/healthz", {}),
        "home": ("/", {}),
        "school_card": (f"/schools/{school_ids[0]}/", {}),
        "schools_list": ("/schools/", {}),
        "schools_list_p3": ("/schools/?page=3", {}),
        "results_municipal": ("/assessment/", {}),
        "results_school": (f"/assessment/school/{results_id}/", {}),
        "results_groups": ("/assessment/groups/", {}),
        "results_flags": ("/assessment/flags/", {}),
        "results_teachers": ("/assessment/teachers/", {}),
        "api_schools": ("/api/v1/schools/", {"token": True}),
        "api_municipalities": ("/api/v1/municipalities/", {"token": True}),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*", help="only these names or paths")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile's order: cumulative, tottime, …")
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--root", help="the checkout whose code is measured (default: this one)")
    parser.add_argument("--json", help="write the figures here (default: bench/out/pages.json)")
    parser.add_argument("--sql", action="store_true", help="print each query with its time")
    parser.add_argument(
        "--dump",
        help="write each page's body here (CSRF tokens and nonces blanked), 20 school cards, and 10 cards and "
        "results pages of schools with results (if any), to diff against another checkout's (--root) dump: "
        "the same figures before and after a change",
    )
    args = parser.parse_args()

    from run import setup_django

    setup_django()  # django.setup() and migrate: `make bench BENCH=pages` on a new database
    import schools

    print(f"code under test: {Path(schools.__file__).parent.parent}", flush=True)
    from cpu import measure
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from run import build_dataset

    from accounts.models import ApiToken

    muni, user, _year = build_dataset()
    with connection.cursor() as cursor:  # bulk-inserted rows and no autovacuum: plans need statistics
        cursor.execute("ANALYZE")
    school_ids = list(muni.schools.order_by("id").values_list("id", flat=True)[:50])
    from assessment.models import Result

    with_results = list(
        Result.objects.filter(school__municipality=muni).order_by("school_id").values_list("school_id", flat=True)[:1]
    )
    results_ids = (
        list(muni.schools.filter(id__gte=with_results[0]).order_by("id").values_list("id", flat=True)[:10])
        if with_results
        else []
    )
    _t, key = ApiToken.issue(user, read_only=True)
    client = Client(HTTP_X_FORWARDED_PROTO="https", SERVER_NAME="127.0.0.1")
    client.force_login(user)
    chosen = pages(school_ids, results_ids[0] if results_ids else None)
    if args.paths:
        chosen = {n: v for n, v in chosen.items() if n in args.paths or v[0] in args.paths}
        # any other path (a filtered or sorted variant: /schools/?sort=-school_index) as given
        known = {v[0] for v in chosen.values()}
        chosen.update({p: (p, {}) for p in args.paths if p.startswith("/") and p not in known})
    if args.dump:
        import re

        dump = Path(args.dump)
        dump.mkdir(parents=True, exist_ok=True)
        cards = {f"card_{i}": (f"/schools/{i}/", {}) for i in [*school_ids[:20], *results_ids]}
        cards |= {f"results_school_{i}": (f"/assessment/school/{i}/", {}) for i in results_ids}
        for name, (path, opts) in {**chosen, **cards}.items():
            headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if opts.get("token") else {}
            c = Client(HTTP_X_FORWARDED_PROTO="https", SERVER_NAME="127.0.0.1") if opts.get("token") else client
            body = c.get(path, **headers).content.decode()
            body = re.sub(r'(nonce|csrfmiddlewaretoken" value|csrf-token" content)="[^"]*"', r'\1=""', body)
            body = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', body)
            (dump / f"{re.sub(r'[^0-9A-Za-z_.=-]+', '_', name).strip('_')}.html").write_text(body)
        print(f"pages written to {dump}")
        return
    results = {}
    for name, (path, opts) in chosen.items():
        headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if opts.get("token") else {}
        c = Client(HTTP_X_FORWARDED_PROTO="https", SERVER_NAME="127.0.0.1") if opts.get("token") else client
        status = c.get(path, **headers).status_code
        m = measure(lambda c=c, path=path, headers=headers: c.get(path, **headers), connection, args.requests)
        with CaptureQueriesContext(connection) as ctx:
            c.get(path, **headers)
        sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        results[name] = {**m, "queries": len(ctx.captured_queries)}
        print(
            f"{name:20} {status} median {m['median_ms']:6.1f} ms  p95 {m['p95_ms']:6.1f} ms  "
            f"CPU: process {m['cpu_ms']:5.1f} (mean {m['cpu_mean_ms']:5.1f}) + PostgreSQL {m['pg_cpu_ms']:4.1f} "
            f"= {m['total_cpu_ms']:5.1f} ms  {len(ctx.captured_queries):3d} queries, SQL {sql_ms:5.1f} ms  "
            f"load {os.getloadavg()[0]:.1f}{'  (reconnected)' if m['backend_changed'] else ''}",
            flush=True,
        )
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                c.get(path, **headers)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.lines)
            print(out.getvalue())
        if args.sql:
            for q in ctx.captured_queries:
                print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:400]}")
    if "healthz" in results:
        base = results["healthz"]["total_cpu_ms"]
        for name in ("api_schools", "api_municipalities"):
            if name in results and results[name]["total_cpu_ms"]:
                print(
                    f"{name}: {100 * base / results[name]['total_cpu_ms']:.0f} % of the minimal view's throughput (CPU)"
                )
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    Path(args.json or out / "pages.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
