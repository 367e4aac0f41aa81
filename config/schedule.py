"""Every periodic task of the portal, declared here and nowhere else (not in data migrations).

``apply_schedule()`` writes this table into django-celery-beat's database schedule (which beat
reads, and which a coordinator with the admin may look at): it runs after every ``migrate``
(so on each deploy: the compose file's web service and ``make run`` migrate first) and as
``manage.py apply_schedule``.  A periodic task of ours that is in the database but not here
is disabled — the code is the one truth of what runs when.  Times are UTC."""

from __future__ import annotations

# name → task and its crontab (minute, hour; every day).  Task names are strings: the
# ground floor imports no app.
PERIODIC_TASKS: dict[str, dict] = {
    "assessment: nightly analysis": {
        "task": "assessment.tasks.analysis_run_nightly",
        "crontab": {"minute": "30", "hour": "3"},
    },
    "assessment: sweep imports": {  # stuck imports run again or end «failed», never «running»
        "task": "assessment.sweep_imports",
        "crontab": {"minute": "*/5", "hour": "*"},
    },
    "events: mark held": {  # events that have ended become «held» (nightly)
        "task": "events.mark_held",
        "crontab": {"minute": "10", "hour": "2"},
    },
    "roadmaps: report reminders": {
        "task": "roadmaps.send_report_reminders",
        "crontab": {"minute": "0", "hour": "5"},
    },
}


def _our_task_prefixes() -> tuple[str, ...]:
    """The portal's own apps (``OPORA_APPS`` and the ground floor): their tasks are ours."""
    from django.conf import settings

    return tuple(f"{app}." for app in (*settings.OPORA_APPS, "accounts", "core"))


def apply_schedule(using: str = "default") -> dict[str, int]:
    """Create or update the declared periodic tasks; disable undeclared ones of our apps."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    written = 0
    for name, spec in PERIODIC_TASKS.items():
        cron = {"day_of_week": "*", "day_of_month": "*", "month_of_year": "*", **spec["crontab"]}
        schedule, _ = CrontabSchedule.objects.using(using).get_or_create(timezone="UTC", **cron)
        task, created = PeriodicTask.objects.using(using).get_or_create(
            name=name, defaults={"task": spec["task"], "crontab": schedule, "enabled": True}
        )
        if not created and (task.task, task.crontab_id, task.interval_id, task.enabled) != (
            spec["task"],
            schedule.pk,
            None,
            True,
        ):
            task.task, task.crontab, task.interval, task.enabled = spec["task"], schedule, None, True
            task.save(using=using)
        written += 1
    stray = PeriodicTask.objects.using(using).exclude(name__in=PERIODIC_TASKS).filter(enabled=True)
    disabled = 0
    for task in stray:
        if task.task.startswith(_our_task_prefixes()):
            task.enabled = False
            task.save(using=using, update_fields=["enabled"])
            disabled += 1
    return {"declared": written, "disabled": disabled}


def apply_schedule_after_migrate(sender=None, using="default", **kwargs) -> None:
    """post_migrate receiver: the schedule follows the code on every deploy."""
    from django.db import connections, router
    from django_celery_beat.models import PeriodicTask

    if not router.allow_migrate_model(using, PeriodicTask):
        return
    if "django_celery_beat_periodictask" in connections[using].introspection.table_names():
        apply_schedule(using)
