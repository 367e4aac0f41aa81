"""Load benchmark (issue 8): gunicorn with the production settings on loopback, the
1,000-school dataset, a mixed workload of the main pages and API endpoints at 20
concurrent connections (wrk), against a minimal Django view on the same server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench .venv/bin/python bench/load/run.py

Targets: coordinator dashboard and school card p95 < 150 ms; API list endpoints ≥ 40 % of
the minimal view's throughput; no errors.  Writes bench/out/load.json."""

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


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def run_wrk(base: str, paths: list[str], **env) -> dict:
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-s", str(Path(__file__).with_name("mixed.lua")), base]
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, env={**os.environ, "PATHS": ",".join(paths), **env}
    )
    line = next(line for line in out.stdout.splitlines() if line.startswith("JSON "))
    return json.loads(line[5:])


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from run import build_dataset

    from accounts.models import ApiToken

    muni, user, _year = build_dataset()
    _token, key = ApiToken.issue(user, read_only=True)
    cookie = session_cookie(user)
    school_ids = list(muni.schools.order_by("id").values_list("id", flat=True)[:50])

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
    base = f"http://127.0.0.1:{port}"
    results = {"schools": muni.schools.count(), "connections": CONNECTIONS, "seconds": SECONDS}
    try:
        time.sleep(3)
        run_wrk(base, ["/healthz"])  # warm up
        results["minimal_view"] = run_wrk(base, ["/healthz"])
        results["dashboard"] = run_wrk(base, ["/"], COOKIE=cookie)
        results["school_card"] = run_wrk(base, [f"/schools/{pk}/" for pk in school_ids], COOKIE=cookie)
        results["school_list_page"] = run_wrk(base, ["/schools/", "/schools/?page=3", "/schools/?q=1"], COOKIE=cookie)
        results["api_lists"] = run_wrk(
            base, ["/api/v1/schools/", "/api/v1/municipalities/", "/api/v1/schools/?page=5"], TOKEN=key
        )
        results["mixed"] = run_wrk(
            base, ["/", f"/schools/{school_ids[0]}/", "/schools/", "/api/v1/schools/"], COOKIE=cookie
        )
    finally:
        server.terminate()
        server.wait(10)
    results["api_vs_minimal"] = round(results["api_lists"]["rps"] / results["minimal_view"]["rps"], 3)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
