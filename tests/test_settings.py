"""Settings come from the environment: the embedded default, production checks, and the
`make run` path (SQLite, demo data, a demo login) smoke-tested in a subprocess."""

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, env_extra=None, timeout=300, cwd=ROOT):
    dropped = (
        "DATABASE_URL",
        "REDIS_URL",
        "DEBUG",
        "SECRET_KEY",
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_embedded_default_is_sqlite_and_eager(tmp_path):
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)"
    result = _manage("shell", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "True"]


def test_environment_selects_postgres_and_redis():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    result = _manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        env_extra={"DATABASE_URL": "postgres://u@db:5432/x", "REDIS_URL": "redis://r:6379/1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False", "redis://r:6379/1"]


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", env_extra={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_production_variables():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "opora.example.ru",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_path_serves_demo_on_sqlite(tmp_path):
    """What `make run` does, on a fresh SQLite file: migrate, load_demo (twice: idempotent),
    runserver; then a demo user signs in and sees the home page."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "OPORA_VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "1",
    }
    assert _manage("migrate", "--noinput", env_extra=env).returncode == 0
    first = _manage("load_demo", env_extra=env, timeout=600)
    assert first.returncode == 0, first.stderr
    assert "coordinator" in first.stdout and "opora-demo-2026" in first.stdout
    count = "from schools.models import School; print(School.objects.count())"
    schools_before = _manage("shell", "-v", "0", "-c", count, env_extra=env).stdout.strip()
    assert _manage("load_demo", env_extra=env, timeout=600).returncode == 0
    assert _manage("shell", "-v", "0", "-c", count, env_extra=env).stdout.strip() == schools_before

    port = _free_port()
    server_env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    server_env.update(env)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for _ in range(60):
            try:
                page = opener.open(f"{base}/accounts/login/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the development server did not start")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"username": "coordinator", "password": "opora-demo-2026", "csrfmiddlewaretoken": token}
        )
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=data.encode(), headers={"Referer": f"{base}/accounts/login/"}
        )
        home = opener.open(request, timeout=30)
        html = home.read().decode()
        assert home.url == f"{base}/"
        assert "Каменск-Уральский городской округ" in html
        css = opener.open(f"{base}/static/vendor/bootstrap/css/bootstrap.min.css", timeout=10)
        assert css.status == 200
        # every page the coordinator's home links to answers on SQLite too (prepared queries,
        # arrays and other PostgreSQL-only paths fall back): the lists, the card, the results
        links = sorted(
            {
                href.replace("&amp;", "&")
                for href in re.findall(r'href="(/[^"#]*)"', html)
                if not any(part in href for part in ("/logout", "/static/", "/i18n/", "export=", "/admin/"))
            }
        )
        assert "/schools/" in links and len(links) > 30
        failed = []
        for href in links:
            try:
                opener.open(f"{base}{href}", timeout=30).read()
            except urllib.error.HTTPError as error:
                failed.append((href, error.code))
        assert failed == []
    finally:
        server.terminate()
        server.wait(timeout=10)
