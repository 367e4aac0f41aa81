"""Celery queues per kind of work (config/settings.py): every task of the portal lands in
the queue of its kind, a message sent through the real broker waits in that queue's list,
and the compose file runs a worker for every queue."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def portal_tasks() -> list[str]:
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def test_each_kind_of_work_has_its_queue():
    assert queue_of("assessment.tasks.import_batch_task") == "imports"
    assert queue_of("assessment.tasks.analysis_run_task") == "analysis"
    assert queue_of("assessment.tasks.analysis_run_nightly") == "analysis"
    assert queue_of("reports.tasks.build_report") == "documents"
    assert queue_of("roadmaps.send_report_reminders") == "mail"
    assert queue_of("events.promotion_notify") == "mail"
    assert queue_of("events.mark_held") == "default"
    # tasks other apps add later fall into their kind by name
    assert queue_of("socialcontext.tasks.import_context_task") == "imports"
    assert queue_of("regional.tasks.analysis_run_region") == "analysis"
    assert queue_of("reports.tasks.build_regional_report") == "documents"


def test_every_task_goes_to_a_declared_queue():
    tasks = portal_tasks()
    assert len(tasks) >= 7
    for name in tasks:
        assert queue_of(name) in settings.OPORA_QUEUES, name
    # a worker started without -Q takes every queue
    assert set(app.amqp.queues) == set(settings.OPORA_QUEUES)


def test_the_compose_file_runs_a_worker_for_every_queue():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    taken = set()
    for name, service in compose["services"].items():
        queues = (service.get("environment") or {}).get("QUEUES")
        if queues:
            assert "celery -A config worker" in service["command"] and "-Q" in service["command"], name
            taken.update(queues.split(","))
    assert taken == set(settings.OPORA_QUEUES)
    assert "DATABASE_REPLICA_URL" in compose["services"]["web"]["environment"]
    assert "pg_basebackup" in (ROOT / "deploy/postgres/replica-start.sh").read_text()


@pytest.mark.django_db
def test_a_message_waits_in_its_queue_on_the_real_broker():
    """Sent through Redis (the suite otherwise runs tasks eagerly): the import's message is
    in the ``imports`` list, the document's in ``documents``, none in the default queue."""
    if not settings.REDIS_URL:
        pytest.fail("this test needs REDIS_URL (make test sets it)")
    from assessment.tasks import import_batch_task
    from reports.tasks import build_report

    app.conf.task_always_eager = False
    try:
        with app.connection_for_write() as conn:
            client = conn.default_channel.client
            for queue in settings.OPORA_QUEUES:
                client.delete(queue)
            import_batch_task.apply_async(args=[0], connection=conn)
            build_report.apply_async(args=[0], connection=conn)
            lengths = {queue: client.llen(queue) for queue in settings.OPORA_QUEUES}
            for queue in settings.OPORA_QUEUES:
                client.delete(queue)
    finally:
        app.conf.task_always_eager = True
    assert lengths == {"default": 0, "imports": 1, "analysis": 0, "documents": 1, "mail": 0}
