"""CPU time of one request in process: this Python process (``time.process_time``) plus the
PostgreSQL backend that served its queries (utime + stime of the backend's /proc entry, same
machine), so that figures stay meaningful on a machine other processes load.

The backend's counters tick in 1/CLK_TCK s (10 ms), so its share is the total over N
requests divided by N, not a per-request median."""

from __future__ import annotations

import os
import statistics
import time

_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def backend_pid(connection) -> int | None:
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        return c.fetchone()[0]


def backend_cpu_ms(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * _TICK_MS  # utime, stime


def measure(call, connection, n: int) -> dict:
    """Run ``call()`` n times: median and p95 wall and process CPU (ms), the backend's CPU
    per request (ms) and their sum.  The connection must stay open between requests
    (CONN_MAX_AGE > 0): a reconnect is reported as ``backend_changed``."""
    call()  # the connection is open, templates are loaded
    pid = backend_pid(connection)
    wall, cpu = [], []
    pg0 = backend_cpu_ms(pid)
    for _ in range(n):
        t, p = time.perf_counter(), time.process_time()
        call()
        wall.append(1000 * (time.perf_counter() - t))
        cpu.append(1000 * (time.process_time() - p))
    pg = (backend_cpu_ms(pid) - pg0) / n
    changed = backend_pid(connection) != pid
    wall.sort()
    cpu_sorted = sorted(cpu)
    return {
        "median_ms": round(statistics.median(wall), 1),
        "p95_ms": round(wall[max(0, int(0.95 * len(wall)) - 1)], 1),
        "cpu_ms": round(statistics.median(cpu), 1),
        "cpu_mean_ms": round(statistics.fmean(cpu_sorted), 1),
        "pg_cpu_ms": round(pg, 1),
        "total_cpu_ms": round(statistics.fmean(cpu_sorted) + pg, 1),
        "backend_changed": changed,
    }
