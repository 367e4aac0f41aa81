"""Celery tasks of the assessment app: they only call services."""

from celery import shared_task

from assessment import services
from assessment.models import ImportStatus


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def import_batch_task(self, batch_id: int) -> int:
    """Acknowledged after it ran, and given back to the queue when its worker process is lost
    (killed, out of memory): the redelivered task takes the batch over once the dead worker's
    claim is stale, or finds it finished (the write is one transaction: nothing half-done)."""
    batch = services.import_batch_run(batch_id=batch_id)
    if batch.status == ImportStatus.RUNNING and not self.request.is_eager:
        # Claimed by another worker (alive, or dead and not yet stale): look again later.
        raise self.retry(countdown=services.import_claim_expires_in(batch) + 5)
    return batch.pk


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def analysis_run_task(self, years: list[int] | None = None, trigger: str = "import") -> int:
    try:
        return services.analysis_run(years=years, trigger=trigger).pk
    except services.AnalysisBusy as exc:
        raise self.retry(exc=exc)


@shared_task
def analysis_run_nightly() -> int:
    return services.analysis_run(years=None, trigger="nightly").pk


@shared_task(name="assessment.sweep_imports", ignore_result=True)
def sweep_imports() -> dict:
    """Every few minutes: stuck imports are queued again or end «failed» (never «running»)."""
    return services.import_batches_sweep()
