"""Fault of issue 8: PostgreSQL restarted during a load run.

gunicorn (production settings, 2 sync workers, CONN_MAX_AGE=60, Redis cache) serves a
steady loop of requests — /healthz, the coordinator's home page, a school card and the API
list — from a few client threads; in the middle the script restarts the machine's
PostgreSQL cluster (``pg_ctlcluster --skip-systemctl-redirect 15 main restart``) and then
reports, per second, the status codes and the slowest request, the error window, the
recovery, and whether any response was a 500 or leaked a traceback, or any request hung.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench .venv/bin/python bench/load/pg_restart.py

CAUTION: restarting PostgreSQL breaks every other test run or benchmark using it on this
machine.  The script refuses to start while another pytest or bench/ process runs (it
waits up to ``--wait`` seconds for them to finish).  Writes bench/out/pg_restart.json."""

from __future__ import annotations

import argparse
import collections
import http.client
import importlib.util
import json
import os
import subprocess
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/load/run.py under its own name (it imports bench/reports/run.py as ``run``): it sets
# the production environment and the shared cache, and starts the server.
_spec = importlib.util.spec_from_file_location("load_bench", HERE / "run.py")
load = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(load)

RESTART = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]
TIMEOUT = 10.0  # a request slower than this counts as hung


def others_running() -> list[str]:
    """Other test runs and benchmarks on the machine (not this process or its parents)."""
    mine = {os.getpid(), os.getppid()}
    out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout
    busy = []
    for line in out.splitlines():
        pid, _, args = line.strip().partition(" ")
        if int(pid) in mine or "pg_restart.py" in args or "grep" in args:
            continue
        if "pytest" in args or "bench/" in args:
            busy.append(line.strip()[:160])
    return busy


def wait_until_alone(seconds: int) -> None:
    deadline = time.time() + seconds
    while True:
        busy = others_running()
        if not busy:
            return
        if time.time() > deadline:
            raise SystemExit(
                "other test runs or benchmarks are running; not restarting PostgreSQL:\n" + "\n".join(busy)
            )
        print(f"waiting for {len(busy)} other process(es) to finish: {busy[0]}", flush=True)
        time.sleep(15)


def client_loop(host: str, requests: list[tuple[str, dict]], start: float, stop: float, log: list, offset: int):
    i = offset
    while time.time() < stop:
        path, headers = requests[i % len(requests)]
        i += 1
        t0 = time.time()
        status, leak = None, False
        try:
            conn = http.client.HTTPConnection(host, timeout=TIMEOUT)
            conn.request("GET", path, headers={"X-Forwarded-Proto": "https", **headers})
            response = conn.getresponse()
            body = response.read()
            status = response.status
            leak = b"Traceback" in body or b"Exception Value" in body or b"psycopg" in body
            conn.close()
        except TimeoutError:
            status = "timeout"
        except OSError as exc:
            status = f"error:{type(exc).__name__}"
        t1 = time.time()
        log.append((t0 - start, path, status, t1 - t0, leak))
        if status != 200:
            time.sleep(0.05)  # a client backs off a little on errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--restart-at", type=float, default=12.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--wait", type=int, default=900, help="how long to wait for other runs to finish")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from run import build_dataset  # bench/reports/run.py

    from accounts.models import ApiToken

    muni, user, _year = build_dataset()
    _token, key = ApiToken.issue(user, read_only=True)
    school_id = muni.schools.order_by("id").values_list("id", flat=True).first()
    connection.close()  # this process does not need the database any more

    server, base = load.start_server(cache=True)
    host = base.removeprefix("http://")
    result: dict = {"seconds": args.seconds, "restart_at": args.restart_at, "threads": args.threads}
    log: list = []
    try:
        cookie = load.session_cookie(base, user.username, "bench-password-1")
        load.check_signed_in(base, cookie, key)
        requests = [
            ("/healthz", {}),
            ("/", {"Cookie": cookie}),
            ("/api/v1/schools/", {"Authorization": f"Token {key}"}),
            (f"/schools/{school_id}/", {"Cookie": cookie}),
        ]
        wait_until_alone(args.wait)
        result["load_before"] = os.getloadavg()[0]
        start = time.time()
        stop = start + args.seconds
        threads = [
            threading.Thread(target=client_loop, args=(host, requests, start, stop, log, n))
            for n in range(args.threads)
        ]
        for t in threads:
            t.start()
        time.sleep(args.restart_at)
        wait_until_alone(0)
        restart_begin = time.time() - start
        done = subprocess.run(RESTART, capture_output=True, text=True)
        restart_end = time.time() - start
        result["restart"] = {
            "command": " ".join(RESTART),
            "began_s": round(restart_begin, 2),
            "ended_s": round(restart_end, 2),
            "exit": done.returncode,
            "stderr": done.stderr.strip()[-300:],
        }
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(10)

    per_second: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    slowest: dict[int, float] = collections.defaultdict(float)
    for t, _path, status, latency, _leak in log:
        per_second[int(t)][str(status)] += 1
        slowest[int(t)] = max(slowest[int(t)], latency)
    failures = [(t, p, s) for t, p, s, _l, _k in log if s != 200]
    after = [(t, s) for t, _p, s, _l, _k in log if t >= result["restart"]["ended_s"]]
    last_failure = max((t for t, _p, _s in failures), default=None)
    result.update(
        {
            "requests": len(log),
            "status_counts": dict(collections.Counter(str(s) for _t, _p, s, _l, _k in log)),
            "failures_by_path": dict(collections.Counter(f"{p} {s}" for _t, p, s in failures)),
            "error_window_s": [round(failures[0][0], 2), round(last_failure, 2)] if failures else None,
            "recovered_after_restart_s": round(max(0.0, last_failure - result["restart"]["ended_s"]), 2)
            if failures
            else 0.0,
            "ok_after_recovery": all(s == 200 for t, s in after if last_failure is None or t > last_failure),
            "server_errors_500": sum(1 for _t, _p, s, _l, _k in log if s == 500),
            "traceback_leaks": sum(1 for *_rest, leak in log if leak),
            "hung": sum(1 for _t, _p, s, latency, _k in log if s == "timeout" or latency >= TIMEOUT),
            "slowest_s": round(max((latency for _t, _p, _s, latency, _k in log), default=0), 3),
            "per_second": [
                {"s": s, **dict(per_second[s]), "slowest_ms": round(slowest[s] * 1000)} for s in sorted(per_second)
            ],
        }
    )
    out = load.ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pg_restart.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
