"""Celery tasks of the context app: they only call services."""

from celery import shared_task

from socialcontext import services


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=30)
def context_analysis_task(self, years: list[int] | None = None, trigger: str = "context") -> dict:
    """The context analysis after a context import or a correction (the nightly results
    analysis recomputes it too, in its own transaction)."""
    return services.context_analysis_run(years=years, trigger=trigger)
