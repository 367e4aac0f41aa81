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
