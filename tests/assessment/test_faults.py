"""A worker killed in the middle of an import or an analysis leaves no partial data, and
the work can be done again cleanly."""

import pytest

from assessment import analysis, services
from assessment.models import AnalysisRun, GroupResult, ImportStatus, Result
from tests.assessment.conftest import hand_rows, to_csv

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing on the way catches it."""


def test_import_killed_during_the_write_leaves_nothing(world, import_bytes, monkeypatch):
    real_write = services._write_rows

    def write_then_die(batch_id, rows):
        real_write(batch_id, rows)  # the rows are in, inside the import's transaction
        raise WorkerKilled

    monkeypatch.setattr(services, "_write_rows", write_then_die)
    with pytest.raises(WorkerKilled):
        import_bytes(to_csv(hand_rows()))
    assert Result.objects.count() == 0, "the transaction never committed: no partial rows"

    monkeypatch.setattr(services, "_write_rows", real_write)
    batch = import_bytes(to_csv(hand_rows()))
    assert batch.status == ImportStatus.DONE
    assert Result.objects.count() == len(hand_rows())


def test_analysis_killed_midway_keeps_the_previous_results(world, import_bytes, monkeypatch):
    import_bytes(to_csv(hand_rows()))
    services.analysis_run(trigger="test")
    runs = list(AnalysisRun.objects.values_list("pk", flat=True))
    stored = sorted(GroupResult.objects.values_list("run_id", "school_id", "subject_id", "grade", "mean_percent"))
    assert stored
    real_compute = analysis.compute

    def compute_then_die(*args, **kwargs):
        real_compute(*args, **kwargs)  # every figure of the new run is written
        raise WorkerKilled  # … and the worker dies before the commit

    monkeypatch.setattr(analysis, "compute", compute_then_die)
    with pytest.raises(WorkerKilled):
        services.analysis_run(trigger="test")
    assert list(AnalysisRun.objects.values_list("pk", flat=True)) == runs
    assert (
        sorted(GroupResult.objects.values_list("run_id", "school_id", "subject_id", "grade", "mean_percent")) == stored
    )


# --- a batch left «running» by a dead worker is recoverable (issue 8) ---------------------------


def _upload(world, content: bytes, name: str = "r.csv", user=None):
    from django.core.files.base import ContentFile

    return services.import_batch_create(user=user or world.superuser, uploaded_file=ContentFile(content, name=name))


def _claimed_by_a_dead_worker(batch, seconds_ago: float, attempts: int = 1):
    from datetime import timedelta

    from django.utils import timezone

    from assessment.models import ImportBatch

    started = timezone.now() - timedelta(seconds=seconds_ago)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, started=started, attempts=attempts)
    batch.refresh_from_db()
    return batch


def test_the_same_batch_runs_again_after_its_worker_was_killed(world, monkeypatch, settings):
    settings.ASSESSMENT_IMPORT_STALE_SECONDS = 600
    batch = _upload(world, to_csv(hand_rows()))
    real_write = services._write_rows

    def write_then_die(batch_id, rows):
        real_write(batch_id, rows)
        raise WorkerKilled

    monkeypatch.setattr(services, "_write_rows", write_then_die)
    with pytest.raises(WorkerKilled):
        services.import_batch_run(batch_id=batch.pk)
    monkeypatch.setattr(services, "_write_rows", real_write)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.RUNNING and batch.started and batch.attempts == 1
    assert Result.objects.count() == 0

    # A redelivered task while the claim is fresh: the batch may still be running elsewhere.
    assert services.import_batch_run(batch_id=batch.pk).status == ImportStatus.RUNNING
    assert Result.objects.count() == 0 and not batch.is_stale

    # Once the claim is older than the staleness, the batch is claimed again and imported.
    _claimed_by_a_dead_worker(batch, 601)
    assert batch.is_stale
    done = services.import_batch_run(batch_id=batch.pk)
    assert done.status == ImportStatus.DONE, done.errors
    assert done.attempts == 2 and done.rows_created == len(hand_rows())
    assert Result.objects.filter(batch=done).count() == len(hand_rows())


def test_a_worker_taken_for_dead_cannot_commit_over_the_new_claim(world, monkeypatch):
    """Compare-and-set: the slow first worker finds its claim replaced and rolls its write back."""
    from datetime import timedelta

    from assessment.models import ImportBatch

    batch = _upload(world, to_csv(hand_rows()))
    real_write = services._write_rows

    def write_while_reclaimed(batch_id, rows):
        replaced = real_write(batch_id, rows)
        current = ImportBatch.objects.get(pk=batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(started=current.started + timedelta(seconds=1))
        return replaced

    monkeypatch.setattr(services, "_write_rows", write_while_reclaimed)
    batch = services.import_batch_run(batch_id=batch.pk)
    assert batch.status == ImportStatus.RUNNING  # it belongs to the other claim now
    assert Result.objects.count() == 0, "the superseded run's write was rolled back"


def test_a_batch_interrupted_too_often_is_refused(world, settings):
    settings.ASSESSMENT_IMPORT_MAX_ATTEMPTS = 3
    batch = _claimed_by_a_dead_worker(_upload(world, to_csv(hand_rows())), 3600, attempts=3)
    batch = services.import_batch_run(batch_id=batch.pk)
    assert batch.status == ImportStatus.FAILED
    assert batch.message == "Загрузка прерывалась (попыток: 3); ничего не импортировано."
    assert Result.objects.count() == 0


def test_the_coordinator_runs_a_stuck_import_again(world, login, django_capture_on_commit_callbacks):
    from django.urls import reverse

    rows = [r for r in hand_rows() if r[0].startswith("A1")]
    batch = _upload(world, to_csv(rows), user=world.coordinator)
    fresh = _claimed_by_a_dead_worker(batch, 5)
    client = login(world.coordinator)
    page = client.get(fresh.get_absolute_url())
    assert b'data-testid="import-restart"' not in page.content and b"import-stale" not in page.content
    response = client.post(reverse("assessment:import-restart", args=[batch.pk]), follow=True)
    assert "Загрузка не зависла" in response.content.decode()
    fresh.refresh_from_db()
    assert fresh.status == ImportStatus.RUNNING and Result.objects.count() == 0

    _claimed_by_a_dead_worker(batch, 3600)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="import-restart"' in page and "Перезапустить" in page and "import-stale" in page
    # Others may not: a coordinator of another municipality does not even see the batch.
    assert login(world.coordinator_b1).post(reverse("assessment:import-restart", args=[batch.pk])).status_code == 404
    client = login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessment:import-restart", args=[batch.pk]), follow=True)
    assert "Загрузка поставлена в очередь заново." in response.content.decode()
    batch.refresh_from_db()  # Celery is eager here: queued and imported at once
    assert batch.status == ImportStatus.DONE, batch.errors
    assert batch.attempts == 1 and Result.objects.count() == len(rows)


def test_a_stale_pending_batch_can_be_run_again_too(world, django_capture_on_commit_callbacks):
    """A batch whose message was lost (the broker was down at upload) waits «pending» forever."""
    from datetime import timedelta

    from django.utils import timezone

    from assessment.models import ImportBatch

    batch = _upload(world, to_csv(hand_rows()))
    ImportBatch.objects.filter(pk=batch.pk).update(created=timezone.now() - timedelta(hours=2))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PENDING and batch.is_stale
    with django_capture_on_commit_callbacks(execute=True):
        services.import_batch_restart(batch=batch, user=world.superuser)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and not batch.is_stale


def test_import_task_is_acknowledged_late_and_requeued_when_its_worker_is_lost():
    from assessment.tasks import import_batch_task

    assert import_batch_task.acks_late is True
    assert import_batch_task.reject_on_worker_lost is True
