"""Where the real server path spends a request's CPU (bench/README.md, session 7): wrk on
some paths against a cold gunicorn of bench/load/run.py (2 sync workers, production
settings, the generation cache off), and per request the CPU of the gunicorn workers, of the
PostgreSQL backends of the database, of wrk and of the gunicorn master (``/proc/<pid>/stat``,
``getrusage``), and the machine's user / system / softirq / idle time (``/proc/stat``).  On an
idle machine the idle time per request is what the sync workers leave unused while they wait.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench .venv/bin/python bench/load/server_cpu.py
    DATABASE_URL=… .venv/bin/python bench/load/server_cpu.py --root /tmp/before --paths / --connections 20 --seconds 10
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pids) -> float:
    """utime + stime of these processes, in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(x) for x in out]


def backends(database: str) -> list[int]:
    out = subprocess.run(["pgrep", "-f", f"postgres: .*{database}"], capture_output=True, text=True).stdout.split()
    return [int(x) for x in out]


def machine() -> dict[str, float]:
    values = Path("/proc/stat").read_text().splitlines()[0].split()[1:9]
    names = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    return {name: int(v) / TICK for name, v in zip(names, values, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", help="the checkout gunicorn serves (default: this one)")
    parser.add_argument("--paths", default="/", help="comma-separated, asked in turn with the coordinator's cookie")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("load_run", ROOT / "bench" / "load" / "run.py")
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)  # sets the production environment; its helpers start and drive the server
    import django

    django.setup()
    from django.conf import settings
    from run import build_dataset  # bench/reports/run.py, on the path through load_run

    _muni, user, _year = build_dataset()
    database = settings.DATABASES["default"]["NAME"]
    paths = args.paths.split(",")
    server, base = load.start_server(cache=False, app_dir=Path(args.root).resolve() if args.root else None)
    try:
        cookie = load.session_cookie(base, user.username, "bench-password-1")
        load.run_wrk(base, ["/healthz"])
        load.SECONDS, load.CONNECTIONS = args.seconds, args.connections
        load.run_wrk(base, paths, COOKIE=cookie)  # warm: the workers' connections and kept statements
        workers, pgs = children(server.pid), backends(database)
        before = (cpu_of(workers), cpu_of(pgs), cpu_of([server.pid]), resource.getrusage(resource.RUSAGE_CHILDREN))
        stat_before = machine()
        figures = load.run_wrk(base, paths, COOKIE=cookie)
        stat_after = machine()
        after = (cpu_of(workers), cpu_of(pgs), cpu_of([server.pid]), resource.getrusage(resource.RUSAGE_CHILDREN))
    finally:
        server.terminate()
        server.wait(10)
    n = figures["requests"]

    def per_request(seconds: float) -> float:
        return round(seconds / n * 1000, 2)

    wrk = (after[3].ru_utime + after[3].ru_stime) - (before[3].ru_utime + before[3].ru_stime)
    print(json.dumps(figures))
    print(
        json.dumps(
            {
                "ms_per_request": {
                    "gunicorn_workers": per_request(after[0] - before[0]),
                    "postgresql_backends": per_request(after[1] - before[1]),
                    "gunicorn_master": per_request(after[2] - before[2]),
                    "wrk": per_request(wrk),
                    "machine": {k: per_request(stat_after[k] - stat_before[k]) for k in stat_before},
                },
                "load_after": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
