"""Celery tasks of the assessment app: they only call services."""

from celery import shared_task

from assessment import services


@shared_task(bind=True, acks_late=True, max_retries=3)
def import_batch_task(self, batch_id: int) -> int:
    return services.import_batch_run(batch_id).pk


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def analysis_run_task(self, years: list[int] | None = None, trigger: str = "import") -> int:
    try:
        return services.analysis_run(years, trigger=trigger).pk
    except services.AnalysisBusy as exc:
        raise self.retry(exc=exc)


@shared_task
def analysis_run_nightly() -> int:
    return services.analysis_run(None, trigger="nightly").pk
