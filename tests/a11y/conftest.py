"""The demo portal, served once per test process for the accessibility tests.

The demo data (four municipalities, every role's journeys) is loaded into the test database
once, outside any test transaction, and served by a live server of its own, so each browser
test only signs in and walks.  The tests of this folder touch nothing but the browser: they
are ordered after every database test of their worker (tests/conftest.py), and when the
module is done the database is flushed and the migrations' catalogues put back, as after a
transactional test."""

import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DEMO_ROLES = ["region", "coordinator", "methodist", "curator", "school"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from the npm registry (package.json's devDependencies), injected into each
    page by Playwright — never loaded from a CDN."""
    assert AXE_JS.is_file(), f"{AXE_JS} is missing: run `npm ci` (make test does)"
    return AXE_JS.read_text(encoding="utf-8")


def _live_server():
    """Django's live server thread, its static files sent with a day's Cache-Control so the
    browser does not ask for them again at each of the crawl's hundreds of pages."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    class CachedStaticFilesHandler(StaticFilesHandler):
        def serve(self, request):
            response = super().serve(request)
            response["Cache-Control"] = "max-age=86400"
            return response

    thread = LiveServerThread("localhost", static_handler=CachedStaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    return thread


@pytest.fixture(scope="session")
def demo_site(django_db_setup, django_db_blocker):
    """A live server over the demo data and a signed-in session cookie per demo role."""
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import modify_settings

    from accounts.models import User
    from tests.conftest import MIGRATION_DATA_LOADERS

    with django_db_blocker.unblock():
        from django.db import connection

        # pytest-django sets up the test database only when a collected test asks for one
        # (the other tests of this folder do); never load the demo into a real database.
        assert connection.settings_dict["NAME"].startswith("test_"), "no test database: run the folder, not one test"
        # A transactional test that ran before in this process ended with a flush, which
        # took the migrations' catalogues (risk factors, procedures, themes) with it.
        from django.apps import apps

        for module, name in MIGRATION_DATA_LOADERS:
            getattr(importlib.import_module(module), name)(apps, None)
        call_command("load_demo", verbosity=0)
        sessions = {}
        for username in DEMO_ROLES:
            client = Client()
            client.force_login(User.objects.get(username=username))
            sessions[username] = client.cookies["sessionid"].value
        hosts = modify_settings(ALLOWED_HOSTS={"append": "localhost"})
        hosts.enable()
        # The server's request threads close their database connection after each request
        # (a thread kept alive by the browser would otherwise hold one past the session's
        # end, and the test database could not be dropped).
        db_settings = connection.settings_dict
        max_age, db_settings["CONN_MAX_AGE"] = db_settings["CONN_MAX_AGE"], 0
        server = _live_server()
        try:
            yield SimpleNamespace(url=f"http://localhost:{server.port}", sessions=sessions)
        finally:
            server.terminate()
            db_settings["CONN_MAX_AGE"] = max_age
            hosts.disable()
            call_command("flush", interactive=False, verbosity=0)
            for module, name in MIGRATION_DATA_LOADERS:
                getattr(importlib.import_module(module), name)(apps, None)
            if connection.vendor == "postgresql":
                # A test's own queries made between Playwright's calls may run on a connection
                # of another context (the sync API switches greenlets) that nothing closes:
                # end such sessions of the test database, so that it can be dropped.
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )


@pytest.fixture
def open_as(demo_site, browser):
    """open_as(role, width) → a Playwright page of a fresh browser context signed in as the
    demo user ``role`` (Russian locale, a phone's or a desktop's width)."""
    contexts = []

    def _open(role: str | None, width: int = 1280, height: int = 812):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="ru-RU")
        if role:
            context.add_cookies([{"name": "sessionid", "value": demo_site.sessions[role], "url": demo_site.url}])
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()
