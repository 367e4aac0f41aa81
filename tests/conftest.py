"""Shared fixtures: a small world of two regions, three municipalities and their schools,
and a user of every role — the one who may, a colleague with narrower scope, an outsider.

    region A ─ municipality A1 ─ schools a1_school1, a1_school2 (+ curator's own school a1_curator_school)
             └ municipality A2 ─ school a2_school1
    region B ─ municipality B1 ─ school b1_school1
"""

import os
from types import SimpleNamespace

import pytest

from accounts.models import Role
from core.years import current_academic_year
from tests.factories import MunicipalityFactory, RegionFactory, SchoolFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pass-Word-123"


@pytest.fixture(autouse=True)
def _default_language():
    """The language middleware activates the reader's language for the thread and leaves it
    (every request sets its own); a test that signs in an English reader must not leave the
    next test in the same worker speaking English."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Database tests first, then transactional ones (browser, backup…), then the rest — the
    order pytest-django sets, because a transactional test ends with a flush that empties
    what data migrations put in (the catalogues, themes, beat schedule) for every test after
    it in the worker.  pytest's own reordering for session-scoped parameters (Playwright's
    browser) runs after pytest-django's and had moved browser tests ahead of database tests:
    sort again, stably, once every other plugin has had its say."""

    def order(item) -> int:
        marker = item.get_closest_marker("django_db")
        kwargs = marker.kwargs if marker else {}
        if kwargs.get("transaction") or kwargs.get("reset_sequences"):
            return 1
        if {"transactional_db", "live_server"} & set(item.fixturenames):
            return 1
        return 0 if marker or "db" in item.fixturenames else 2

    items.sort(key=order)


def pytest_configure(config):
    from django.conf import settings

    # A fast hasher: the production PBKDF2 would spend seconds per test creating users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every use of a prepared query (core/compiled.py) builds it again and compares its SQL:
    # a key that misses an input fails the test that reads the page.
    settings.OPORA_PREPARED_QUERIES = "check"
    # The two xdist workers share one Redis but not a database: each worker (and each run,
    # whose fresh database reuses the ids of the last one) keeps its own keys, so a cached
    # figure or the data generation of one never serves the other.
    if "KEY_PREFIX" in settings.CACHES["default"] or "redis" in settings.CACHES["default"]["BACKEND"].lower():
        from django.test.signals import clear_cache_handlers

        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        settings.CACHES["default"]["KEY_PREFIX"] = f"opora-test:{worker}:{os.getpid()}"
        clear_cache_handlers(setting="CACHES")
    # Uploads and generated files of the tests go to a temporary folder, not ./var.
    import tempfile

    settings.MEDIA_ROOT = os.path.join(tempfile.mkdtemp(prefix="opora-test-var-"), "media")  # var/media layout
    # Tasks run in the test process: no worker runs during the suite.  Tests of the real
    # broker (Redis up or down) send through it explicitly.
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


# Rows that data migrations put in.  A transactional test (browser, backup) ends with a
# flush that removes them for the tests after it in the same worker; serialized rollback
# did not bring them back reliably, so the migrations' own idempotent loaders do.
MIGRATION_DATA_LOADERS = [
    ("schools.migrations.0002_risk_factor_catalogue", "load"),
    ("assessment.migrations.0002_catalogues", "load"),
    ("events.migrations.0002_themes", "add_themes"),
]


@pytest.fixture(autouse=True)
def _migration_data(request):
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")

    from assessment.models import Procedure
    from schools.models import RiskFactor

    if RiskFactor.objects.exists() and Procedure.objects.exists():
        return
    restore_migration_data()


def restore_migration_data() -> None:
    """Put back what data migrations put in, where a flush removed it (idempotent loaders)."""
    import importlib

    from django.apps import apps

    for module, name in MIGRATION_DATA_LOADERS:
        getattr(importlib.import_module(module), name)(apps, None)


@pytest.fixture
def fresh_prepared():
    """The prepared-query memo (core/compiled.py) emptied before and after the test."""
    from core.compiled import forget_prepared

    forget_prepared()
    yield
    forget_prepared()


@pytest.fixture
def world(db):
    from curators.models import CuratorAssignment

    region_a = RegionFactory(name="Область А", code="66")
    region_b = RegionFactory(name="Область Б", code="67")
    a1 = MunicipalityFactory(region=region_a, name="Округ А1")
    a2 = MunicipalityFactory(region=region_a, name="Округ А2")
    b1 = MunicipalityFactory(region=region_b, name="Округ Б1")
    s = SimpleNamespace(
        region_a=region_a,
        region_b=region_b,
        a1=a1,
        a2=a2,
        b1=b1,
        a1_school1=SchoolFactory(municipality=a1, code="A1S1", short_name="СШ № 1"),
        a1_school2=SchoolFactory(municipality=a1, code="A1S2", short_name="СШ № 2"),
        a1_curator_school=SchoolFactory(municipality=a1, code="A1S3", short_name="СШ № 34"),
        a2_school1=SchoolFactory(municipality=a2, code="A2S1", short_name="Лицей № 9"),
        b1_school1=SchoolFactory(municipality=b1, code="B1S1", short_name="Гимназия № 1"),
    )
    s.superuser = UserFactory(username="root", role="", is_superuser=True, is_staff=True)
    s.regional = UserFactory(username="regional", role=Role.REGIONAL_COORDINATOR, region=region_a)
    s.coordinator = UserFactory(username="coord_a1", role=Role.MUNICIPAL_COORDINATOR, municipality=a1)
    s.coordinator_a2 = UserFactory(username="coord_a2", role=Role.MUNICIPAL_COORDINATOR, municipality=a2)
    s.coordinator_b1 = UserFactory(username="coord_b1", role=Role.MUNICIPAL_COORDINATOR, municipality=b1)
    s.methodist = UserFactory(username="methodist_a1", role=Role.METHODIST, municipality=a1)
    s.curator = UserFactory(username="curator_a1", role=Role.CURATOR, school=s.a1_curator_school)
    s.school_admin = UserFactory(username="admin_a1s1", role=Role.SCHOOL_ADMIN, school=s.a1_school1)
    s.school_admin2 = UserFactory(username="admin_a1s2", role=Role.SCHOOL_ADMIN, school=s.a1_school2)
    s.outsider = UserFactory(username="admin_b1s1", role=Role.SCHOOL_ADMIN, school=s.b1_school1)
    s.no_role = UserFactory(username="norole", role="")
    CuratorAssignment.objects.create(curator=s.curator, school=s.a1_school1, year=current_academic_year())
    s.password = PASSWORD
    return s


@pytest.fixture
def login(client):
    """login(user) signs the test client in and returns it."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api(world):
    """api(user) → a DRF APIClient authenticated as user (session-less, force_authenticate)."""
    from rest_framework.test import APIClient

    def _api(user=None):
        c = APIClient()
        if user is not None:
            c.force_authenticate(user)
        return c

    return _api


# --- Browser tests (Playwright driving Debian's Chromium) --------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_login(live_server, page):
    """browser_login(user) signs in through the login form and returns the page."""

    def _login(user, password=PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _login


@pytest.fixture
def artifact_dir():
    """Where browser tests save their screenshots (kept as CI artefacts)."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
