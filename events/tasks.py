"""Celery tasks of the events app: they only call services."""

from celery import shared_task

from events import services


@shared_task(name="events.mark_held", ignore_result=True)
def mark_held() -> int:
    """Nightly: planned events that have ended are marked as held."""
    return services.events_mark_held()


@shared_task(
    name="events.promotion_notify",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
)
def promotion_notify(registration_id: int) -> int:
    """E-mail the notice of a move up from the waiting list (sent once)."""
    return services.registration_promotion_notify(registration_id=registration_id)
