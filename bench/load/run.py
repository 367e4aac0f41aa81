"""Load benchmark (issue 8): gunicorn with the production settings on loopback, the
1,000-school dataset, a mixed workload of the main pages and API endpoints at 20
concurrent connections (wrk), against a minimal Django view on the same server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench .venv/bin/python bench/load/run.py

Targets: coordinator dashboard and school card p95 < 150 ms; API list endpoints ≥ 40 % of
the minimal view's throughput; no errors.  Runs every scenario against a server with the
generation cache (Redis, as in production: cache-warm figures), then the pages and the API
against one with it off (``OPORA_CACHE_ENABLED=0``: every request computes, the cold
figures).  Writes bench/out/load.json.

    # the code before a change, on the same data, scenario by scenario in turn with this one
    # (cache on and off) — the figures of a shared machine stay comparable:
    git archive <commit> | tar -x -C /tmp/before && ln -s "$PWD/.venv" /tmp/before/.venv
    (cd /tmp/before && scripts/compilemessages.sh)
    DATABASE_URL=… .venv/bin/python bench/load/run.py --compare /tmp/before   # → bench/out/load-compare.json

BENCH_SCENARIOS=minimal_view,api_lists: only these; BENCH_COLD_ONLY=1: the cache off only
(with --compare: before and after both cold); BENCH_ROUNDS=N: --compare's scenarios N times.
Every wrk run records the CPU per request of the gunicorn workers, the PostgreSQL backends,
Redis, wrk and the whole machine (``cpu_ms_per_request``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "reports"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opora_bench")
import run as _reports_bench  # noqa: E402,F401  (importing it sets the production environment)

SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "20"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
# The checkout gunicorn serves (default: this one); another one — e.g. `git archive` of an
# earlier commit — measures the code before a change on the same data and machine.
APP_DIR = Path(os.environ.get("BENCH_APP_DIR", str(ROOT)))
# This process shares the servers' cache, so its own writes (the benchmark user, a token)
# move the data generation on as a portal process would.
os.environ.setdefault("REDIS_URL", REDIS_URL)
os.environ.setdefault("CACHE_PREFIX", "bench-load")


def session_cookie(base: str, username: str, password: str) -> str:
    """Sign in through the login form of the running server (its own session and keys)."""
    import http.client
    import re
    from urllib.parse import urlencode, urlsplit

    host = urlsplit(base).netloc
    conn = http.client.HTTPConnection(host, timeout=30)
    headers = {"X-Forwarded-Proto": "https", "Host": host}
    conn.request("GET", "/accounts/login/", headers=headers)
    response = conn.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            **headers,
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"https://{host}/accounts/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies = ", ".join(v for k, v in response.getheaders() if k.lower() == "set-cookie")
    session = re.search(r"sessionid=([^;]+)", cookies)
    if response.status != 302 or not session:
        raise SystemExit(f"sign-in of the benchmark user failed: {response.status}")
    return f"sessionid={session.group(1)}"


def check_signed_in(base: str, cookie: str, key: str) -> None:
    """The workload must measure signed-in pages, not redirects to the login form."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    for path, header in (("/", {"Cookie": cookie}), ("/api/v1/schools/", {"Authorization": f"Token {key}"})):
        request = urllib.request.Request(base + path, headers={**header, "X-Forwarded-Proto": "https"})
        status = opener.open(request, timeout=30).status
        if status != 200:
            raise SystemExit(f"{path} answers {status} for the benchmark user: the workload would not be signed in")


def warm(base: str, paths: list[str], **env) -> None:
    """Ask for every path once, so that a cache-warm figure is warm (the cold figure is
    the server with the cache off)."""
    import urllib.request

    headers = {"X-Forwarded-Proto": "https"}
    if env.get("COOKIE"):
        headers["Cookie"] = env["COOKIE"]
    if env.get("TOKEN"):
        headers["Authorization"] = f"Token {env['TOKEN']}"
    for path in paths:
        urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=60).read()


class Writer:
    """One committed write a second while wrk runs: a curator's visit logged at a school
    (a scoped write: core/cache.py moves only that school's municipality's counters), or,
    with ``unscoped``, a school's row changed (every counter moves, as any write did before
    generations per scope)."""

    def __init__(self, school_id: int, curator_id: int, unscoped: bool = False):
        import threading

        self.school_id, self.curator_id, self.unscoped = school_id, curator_id, unscoped
        self.stop, self.writes = threading.Event(), 0
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self) -> None:
        import datetime

        from django.db import connection

        from curators.models import Visit
        from schools.models import School

        try:
            while not self.stop.wait(1.0):
                if self.unscoped:
                    School.objects.filter(pk=self.school_id).update(teachers_count=20 + self.writes % 7)
                else:
                    Visit.objects.create(
                        school_id=self.school_id,
                        curator_id=self.curator_id,
                        kind="consultation",
                        date=datetime.date.today(),
                        findings=f"bench write {self.writes}",
                    )
                self.writes += 1
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)


def run_wrk(base: str, paths: list[str], writer: Writer | None = None, **env) -> dict:
    warm(base, paths, **env)
    if writer is not None:
        with writer:
            result = _wrk(base, paths, **env)
        return {**result, "writes": writer.writes}
    return _wrk(base, paths, **env)


def _wrk(base: str, paths: list[str], **env) -> dict:
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-s", str(Path(__file__).with_name("mixed.lua")), base]
    import threading

    before = cpu_snapshot(base)
    seen: dict = {"gunicorn": {}, "postgres": {}}
    done = threading.Event()

    def sample():  # a backend or worker that ends during the run (CONN_MAX_AGE) keeps its last figure
        while not done.wait(0.2):
            for name, pids in _serving_pids(base).items():
                for pid in pids:
                    ms = _proc_cpu_ms(pid)
                    if ms is not None:
                        seen[name][pid] = ms

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, check=True, env={**os.environ, "PATHS": ",".join(paths), **env}
        )
    finally:
        done.set()
        sampler.join()
    after = cpu_snapshot(base)
    for name, last in seen.items():
        after[name] = {**last, **{pid: ms for pid, ms in after[name].items() if ms is not None}}
    line = next(line for line in out.stdout.splitlines() if line.startswith("JSON "))
    result = json.loads(line[5:])
    return {**result, "cpu_ms_per_request": cpu_per_request(before, after, result["requests"])}


# base URL → the gunicorn master's pid (start_server), for the CPU of its workers
SERVERS: dict[str, int] = {}
_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _proc_cpu_ms(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * _TICK_MS  # utime, stime


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _serving_pids(base: str) -> dict[str, list[int]]:
    """The server's gunicorn workers and the PostgreSQL backends of this database (found by
    their process titles, ``postgres: <user> <database> …``), without a query."""
    from django.conf import settings

    title = f" {settings.DATABASES['default']['NAME']} ".encode()
    backends = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    line = f.read()
            except OSError:
                continue
            if line.startswith(b"postgres: ") and title in line:
                backends.append(int(entry))
    return {"gunicorn": _children(SERVERS[base]) if base in SERVERS else [], "postgres": backends}


def cpu_snapshot(base: str) -> dict:
    """CPU used so far (ms) by each process that serves a request: the server's gunicorn
    workers, the PostgreSQL backends of this database (this process's idles), the Redis
    server (shared with whatever else uses it), wrk (this process's reaped children) and the
    whole machine (every core's busy time, /proc/stat: what other runs take shows there)."""
    import resource

    redis = subprocess.run(["pidof", "redis-server"], capture_output=True, text=True).stdout.split()
    groups = {**_serving_pids(base), "redis": [int(p) for p in redis]}
    snap = {name: {pid: _proc_cpu_ms(pid) for pid in pids} for name, pids in groups.items()}
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    snap["wrk"] = 1000 * (usage.ru_utime + usage.ru_stime)
    with open("/proc/stat") as f:
        cpu = [int(v) for v in f.readline().split()[1:]]
    snap["machine"] = (sum(cpu) - cpu[3] - cpu[4]) * _TICK_MS  # all but idle and iowait
    return snap


def cpu_per_request(before: dict, after: dict, requests: int) -> dict:
    """ms of CPU per request by group; a process started during the run counts from zero."""
    out = {}
    for name in ("gunicorn", "postgres", "redis"):
        used = sum((ms or 0) - (before[name].get(pid) or 0) for pid, ms in after[name].items() if ms is not None)
        out[name] = round(used / max(requests, 1), 3)
    for name in ("wrk", "machine"):
        out[name] = round((after[name] - before[name]) / max(requests, 1), 3)
    out["served"] = round(out["gunicorn"] + out["postgres"] + out["redis"] + out["wrk"], 3)
    return out


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from run import build_dataset

    from accounts.models import ApiToken

    muni, user, _year = build_dataset()
    _token, key = ApiToken.issue(user, read_only=True)
    school_ids = list(muni.schools.order_by("id").values_list("id", flat=True)[:50])
    global WRITE_TARGETS
    WRITE_TARGETS = write_targets(muni, school_ids)

    # The planner's statistics, as autovacuum would have them on a production server
    # (autovacuum is off on this machine, and the dataset was just bulk-inserted).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    results = {"schools": muni.schools.count(), "connections": CONNECTIONS, "seconds": SECONDS}
    if "--compare" in sys.argv:
        # Another checkout (the code before a change) against this one, cache on and off,
        # scenario by scenario in turn: on a machine shared with other runs, each figure
        # then sits next to the others taken under the same load.
        other = Path(sys.argv[sys.argv.index("--compare") + 1]).resolve()
        results["compare"] = compare(user, key, school_ids, other)
    else:
        # Production runs with Redis (the shared cache); cache-warm figures, then the same
        # scenarios with the generation cache off: every request computes (the cold figure).
        only = tuple(filter(None, os.environ.get("BENCH_SCENARIOS", "").split(",")))
        # BENCH_COLD_ONLY=1: the cold figures alone (a profile of the uncached path)
        if os.environ.get("BENCH_COLD_ONLY") != "1":
            results["cached"] = measure(user, key, school_ids, cache=True, scenarios=only or None)
        cold = ("minimal_view", "dashboard", "school_card", "school_list_page", "api_lists")
        results["uncached"] = measure(
            user, key, school_ids, cache=False, scenarios=tuple(s for s in cold if not only or s in only)
        )
        for mode in ("cached", "uncached"):
            part = results.get(mode, {})
            if "api_lists" in part and "minimal_view" in part:
                # against the minimal view of the same server, measured in the same run
                part["api_vs_minimal"] = round(part["api_lists"]["rps"] / part["minimal_view"]["rps"], 3)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / ("load-compare.json" if "--compare" in sys.argv else "load.json")).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


WRITE_TARGETS: dict = {}


def write_targets(muni, school_ids) -> dict:
    """Where the mixed scenarios write: a school of a second municipality of the same
    region (its own coordinator's pages are not measured), a school of the measured one,
    and the curator who logs the visits."""
    from accounts.models import Role, User
    from schools.models import Municipality, School, sort_key

    other, _ = Municipality.objects.get_or_create(region=muni.region, name="Бенчмарк-округ 2")
    school, _ = School.objects.get_or_create(
        code="BENCH-OTHER-1",
        defaults={"municipality": other, "short_name": "СШ № 1", "sort_name": sort_key("СШ № 1"), "name": "СШ № 1"},
    )
    curator, _ = User.objects.get_or_create(
        username="bench_curator", defaults={"role": Role.CURATOR, "school_id": school_ids[-1]}
    )
    return {"elsewhere": school.pk, "here": school_ids[1], "curator": curator.pk}


def writer(kind: str) -> Writer:
    """``elsewhere``: a visit in the other municipality; ``here``: in the measured one;
    ``unscoped``: a school row (every counter moves)."""
    target = WRITE_TARGETS["here" if kind == "here" else "elsewhere"]
    return Writer(target, WRITE_TARGETS["curator"], unscoped=kind == "unscoped")


# The mixed scenario's paths, also under one write a second (cache on): a write elsewhere
# leaves them warm, a write here or an unscoped one turns them cold once a second.
MIXED_WRITE_SCENARIOS = ("writes_elsewhere", "writes_here", "writes_unscoped")


def scenarios_for(school_ids: list[int]) -> dict[str, tuple[list[str], str]]:
    """scenario → (paths, credentials: "cookie", "token" or "")"""
    return {
        "minimal_view": (["/healthz"], ""),
        "dashboard": (["/"], "cookie"),
        "school_card": ([f"/schools/{pk}/" for pk in school_ids], "cookie"),
        "school_list_page": (["/schools/", "/schools/?page=3", "/schools/?q=1"], "cookie"),
        "api_lists": (["/api/v1/schools/", "/api/v1/municipalities/", "/api/v1/schools/?page=5"], "token"),
        "mixed": (["/", f"/schools/{school_ids[0]}/", "/schools/", "/api/v1/schools/"], "cookie"),
    }


def compare(user, key, school_ids, other: Path) -> dict:
    """BENCH_SCENARIOS: only these; BENCH_COLD_ONLY=1: before and after both with the cache
    off (the cold figures side by side)."""
    if os.environ.get("BENCH_COLD_ONLY") == "1":
        servers = {
            "before_uncached": start_server(cache=False, app_dir=other),
            "after_uncached": start_server(cache=False),
        }
    else:
        servers = {
            "before": start_server(cache=True, app_dir=other),
            "after": start_server(cache=True),
            "after_uncached": start_server(cache=False),
        }
    only = tuple(filter(None, os.environ.get("BENCH_SCENARIOS", "").split(",")))
    result: dict = {"before_dir": str(other)}
    try:
        cookies = {}
        for name, (_server, base) in servers.items():
            cookies[name] = session_cookie(base, user.username, "bench-password-1")
            check_signed_in(base, cookies[name], key)
            run_wrk(base, ["/healthz"])  # warm up
        chosen = [(s, v) for s, v in scenarios_for(school_ids).items() if not only or s in only]
        rounds = int(os.environ.get("BENCH_ROUNDS", "1"))
        for n, (scenario, (paths, auth)) in enumerate(chosen * rounds):
            order = list(servers) if n % 2 == 0 else list(reversed(servers))
            for name in order:
                base = servers[name][1]
                creds = {"cookie": {"COOKIE": cookies[name]}, "token": {"TOKEN": key}, "": {}}[auth]
                load_before = round(os.getloadavg()[0], 2)
                figures = run_wrk(base, paths, **creds)
                result.setdefault(scenario, {}).setdefault(name, []).append({**figures, "load_before": load_before})
    finally:
        for server, _base in servers.values():
            server.terminate()
            server.wait(10)
    if "api_lists" in result and "minimal_view" in result:
        # each round's API lists against the minimal view of the same server and round
        result["api_vs_minimal"] = {
            name: [
                round(api["rps"] / minimal["rps"], 3)
                for api, minimal in zip(result["api_lists"][name], result["minimal_view"][name], strict=False)
            ]
            for name in servers
        }
    return result


def start_server(cache: bool, app_dir: Path | None = None):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_USER": "1000000/min",
        "CONN_MAX_AGE": "60",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "REDIS_URL": REDIS_URL,
        "CACHE_PREFIX": "bench-load",
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
        cwd=app_dir or APP_DIR,
        env=env,
    )
    time.sleep(3)
    SERVERS[f"http://127.0.0.1:{port}"] = server.pid
    return server, f"http://127.0.0.1:{port}"


def measure(user, key, school_ids, *, cache: bool, scenarios=None) -> dict:
    server, base = start_server(cache)
    results = {"load_before": os.getloadavg()[0]}
    wanted = set(
        scenarios
        or (
            "minimal_view",
            "dashboard",
            "school_card",
            "school_list_page",
            "api_lists",
            "mixed",
            *MIXED_WRITE_SCENARIOS,
        )
    )
    try:
        cookie = session_cookie(base, user.username, "bench-password-1")
        check_signed_in(base, cookie, key)
        run_wrk(base, ["/healthz"])  # warm up
        if "minimal_view" in wanted:
            results["minimal_view"] = run_wrk(base, ["/healthz"])
        if "dashboard" in wanted:
            results["dashboard"] = run_wrk(base, ["/"], COOKIE=cookie)
        if "school_card" in wanted:
            results["school_card"] = run_wrk(base, [f"/schools/{pk}/" for pk in school_ids], COOKIE=cookie)
        if "school_list_page" in wanted:
            results["school_list_page"] = run_wrk(
                base, ["/schools/", "/schools/?page=3", "/schools/?q=1"], COOKIE=cookie
            )
        if "api_lists" in wanted:
            results["api_lists"] = run_wrk(
                base, ["/api/v1/schools/", "/api/v1/municipalities/", "/api/v1/schools/?page=5"], TOKEN=key
            )
        mixed_paths = ["/", f"/schools/{school_ids[0]}/", "/schools/", "/api/v1/schools/"]
        if "mixed" in wanted:
            results["mixed"] = run_wrk(base, mixed_paths, COOKIE=cookie)
        for scenario in MIXED_WRITE_SCENARIOS:
            if scenario in wanted:
                kind = scenario.removeprefix("writes_")
                results[scenario] = run_wrk(base, mixed_paths, writer=writer(kind), COOKIE=cookie)
    finally:
        server.terminate()
        server.wait(10)
    results["load_after"] = os.getloadavg()[0]
    return results


if __name__ == "__main__":
    main()
