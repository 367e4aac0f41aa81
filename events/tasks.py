"""Celery tasks of the events app: they only call services."""

from celery import shared_task

from events import services


@shared_task(name="events.mark_held", ignore_result=True)
def mark_held() -> int:
    """Nightly: planned events that have ended are marked as held."""
    return services.events_mark_held()
