"""Faults: Redis down (cache and task queue) — pages and the API keep working, long work
says it is queued/unavailable and nothing is lost."""

import pytest
from django.urls import reverse

from config.celery import app as celery_app
from reports.models import GeneratedReport, ReportStatus
from reports.services import QUEUE_UNAVAILABLE

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings, monkeypatch):
    """The cache points at a closed port; sending a task fails the way kombu does when the
    broker is unreachable (the global Celery app's connection pools are left alone)."""
    from kombu.exceptions import OperationalError

    settings.CACHES = {"default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": DEAD_REDIS}}

    def unreachable(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(celery_app.Task, "apply_async", unreachable)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


def test_pages_and_api_work_without_redis(world, login, api, redis_down):
    assert login(world.coordinator).get(reverse("home")).status_code == 200
    assert login(world.coordinator).get(reverse("schools:school-list")).status_code == 200
    response = api(world.coordinator).get("/api/v1/schools/")  # throttling reads the cache
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_long_report_is_kept_and_says_the_queue_is_down(world, login, redis_down, django_capture_on_commit_callbacks):
    c = login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(
            reverse("reports:report-create"),
            {"kind": "municipal", "municipality": world.a1.pk, "year": 2026, "fmt": "pdf"},
        )
    report = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert report.status == ReportStatus.QUEUED
    assert report.error == QUEUE_UNAVAILABLE  # kept untranslated, shown in the reader's language
    page = c.get(report.get_absolute_url()).content.decode()
    assert "Очередь задач недоступна" in page


def test_login_works_without_redis(world, client, redis_down):
    response = client.post(reverse("login"), {"username": "coord_a1", "password": world.password})
    assert response.status_code == 302
