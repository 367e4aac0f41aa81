"""Periodic tasks are declared in code (config/schedule.py) and applied on every migrate."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from config.celery import app
from config.schedule import PERIODIC_TASKS, apply_schedule

pytestmark = pytest.mark.django_db


def test_every_declared_task_exists_and_is_scheduled_after_migrate():
    app.loader.import_default_modules()
    for name, spec in PERIODIC_TASKS.items():
        assert spec["task"] in app.tasks, spec["task"]
        task = PeriodicTask.objects.get(name=name)
        assert (task.task, task.enabled, task.interval_id) == (spec["task"], True, None)
        assert task.crontab.minute == spec["crontab"]["minute"] and task.crontab.hour == spec["crontab"]["hour"]
        assert str(task.crontab.timezone) == "UTC"
    held = PeriodicTask.objects.get(task="events.mark_held")
    assert (held.crontab.minute, held.crontab.hour, held.crontab.day_of_week) == ("10", "2", "*")
    assert PeriodicTask.objects.filter(task="assessment.sweep_imports", crontab__minute="*/5").exists()


def test_the_code_wins_over_edits_and_strays(capsys):
    nightly = PeriodicTask.objects.get(name="assessment: nightly analysis")
    nightly.enabled = False
    nightly.task = "assessment.tasks.something_else"
    nightly.save()
    stray = PeriodicTask.objects.create(name="old job", task="roadmaps.gone", crontab=nightly.crontab)
    foreign = PeriodicTask.objects.create(name="celery's own", task="celery.backend_cleanup", crontab=nightly.crontab)
    assert apply_schedule() == {"declared": len(PERIODIC_TASKS), "disabled": 1}
    nightly.refresh_from_db()
    stray.refresh_from_db()
    foreign.refresh_from_db()
    assert nightly.enabled and nightly.task == "assessment.tasks.analysis_run_nightly"
    assert not stray.enabled and foreign.enabled
    call_command("apply_schedule")
    assert "events: mark held: events.mark_held" in capsys.readouterr().out
    assert PeriodicTask.objects.filter(name__in=PERIODIC_TASKS).count() == len(PERIODIC_TASKS)
