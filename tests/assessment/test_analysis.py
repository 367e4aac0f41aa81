import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from assessment import services
from assessment.models import AnalysisRun, Flag, GroupResult, ProgrammeEffect, RiskZoneCount, SchoolIndex, Spread
from assessment.tasks import analysis_run_nightly

pytestmark = pytest.mark.django_db

STORED = {
    GroupResult: [
        "school_id",
        "year",
        "procedure_id",
        "subject_id",
        "grade",
        "participants",
        "mean_score",
        "mean_percent",
        "share_fail",
        "success_rate",
        "quality_rate",
        "lowered",
        "confirmed",
        "raised",
    ],
    Flag: [
        "kind",
        "school_id",
        "year",
        "procedure_id",
        "subject_id",
        "grade",
        "teacher_code",
        "rule",
        "inputs",
        "thresholds",
    ],
    SchoolIndex: ["school_id", "year", "value", "n_keys", "p10", "candidate", "below_p10", "below_limit"],
    Spread: ["municipality_id", "year", "schools", "p10", "p90", "spread"],
    ProgrammeEffect: ["municipality_id", "year", "participants", "rose", "left_status", "share_rose", "share_left"],
    RiskZoneCount: ["school_id", "year", "subject_id", "students"],
}


def snapshot():
    return {
        model.__name__: sorted(tuple(str(v) for v in row) for row in model.objects.values_list(*fields))
        for model, fields in STORED.items()
    }


def test_nightly_task_twice_gives_the_same_stored_results(analysed):
    first = snapshot()
    assert first["Flag"] and first["SchoolIndex"]
    analysis_run_nightly.delay()
    analysis_run_nightly.delay()
    assert snapshot() == first
    runs = AnalysisRun.objects.order_by("started")
    assert [r.trigger for r in runs][-2:] == ["nightly", "nightly"]
    last = runs.last()
    assert last.years == [2022, 2023] and last.thresholds["low_gap_points"] == 15.0
    assert last.counts["flags"] == 7
    # Every stored row belongs to the last run.
    assert set(Flag.objects.values_list("run_id", flat=True)) == {last.pk}


def test_analyse_results_command_for_one_year(analysed):
    before = snapshot()
    call_command("analyse_results", "--year", "2023")
    assert snapshot() == before
    assert AnalysisRun.objects.order_by("-started").first().years == [2023]


def test_rollback_removes_figures_after_reanalysis(world, import_bytes, django_capture_on_commit_callbacks):
    from tests.assessment.conftest import hand_rows, to_csv

    with django_capture_on_commit_callbacks(execute=True):
        batch = import_bytes(to_csv(hand_rows()), "a.csv")
    assert GroupResult.objects.exists()  # the analysis ran after the import, for the years it touched
    assert set(AnalysisRun.objects.get().years) == {2022, 2023, 2024}
    with django_capture_on_commit_callbacks(execute=True):
        services.import_batch_rollback(batch=batch, user=world.superuser)
    assert not GroupResult.objects.exists() and not Flag.objects.exists()


def test_nightly_beat_entry_in_utc():
    task = PeriodicTask.objects.get(name="assessment: nightly analysis")
    assert task.task == "assessment.tasks.analysis_run_nightly" and task.enabled
    assert str(task.crontab.timezone) == "UTC" and (task.crontab.hour, task.crontab.minute) == ("3", "30")


def test_a_second_run_waits_for_the_lock_and_gives_up(world):
    """While another analysis holds the lock (PostgreSQL advisory lock, or the cache key on SQLite)
    a run waits and then gives up with AnalysisBusy (the Celery task retries later)."""
    from django.core.cache import cache
    from django.db import connection

    other = None
    if connection.vendor == "postgresql":
        other = connection.get_new_connection(connection.get_connection_params())
        other.cursor().execute("SELECT pg_advisory_lock(%s)", [services.LOCK_KEY])
    else:
        cache.add(services.CACHE_LOCK, "other", timeout=60)
    try:
        with pytest.raises(services.AnalysisBusy):
            services.analysis_run(trigger="test", wait_seconds=0.5)
    finally:
        if other is not None:
            other.close()
        cache.delete(services.CACHE_LOCK)
    assert not AnalysisRun.objects.exists()
    services.analysis_run(trigger="test", wait_seconds=0.5)
    assert AnalysisRun.objects.count() == 1


def test_analysis_years_skip_along_the_index_and_keep_years_of_stored_figures(world, import_bytes):
    """Years of every school are found (not only the first school's), and a year that only has
    stored figures left (its rows rolled back) is still analysed, so its figures go."""
    from assessment.models import Result
    from tests.assessment.conftest import to_csv

    rows = [
        ["A1S1", "2022/2023", "ВПР", "Математика", 5, "S1", 10, 20, 3, 4, "T1"],
        ["A1S2", "2024/2025", "ВПР", "Математика", 5, "S1", 10, 20, 3, 4, "T1"],
        ["B1S1", "2023/2024", "ВПР", "Математика", 5, "S1", 10, 20, 3, 4, "T1"],
        ["B1S1", "2019/2020", "ВПР", "Математика", 5, "S2", 10, 20, 3, 4, "T1"],
    ]
    batch = import_bytes(to_csv(rows), "r.csv")
    assert batch.status == "done", batch.errors
    assert services.analysis_years() == [2019, 2022, 2023, 2024]
    services.analysis_run(trigger="test")
    Result.objects.filter(year=2019).delete()
    assert services.analysis_years() == [2019, 2022, 2023, 2024]  # 2019: figures only
    run = services.analysis_run(trigger="test")
    assert run.years == [2019, 2022, 2023, 2024]
    assert not GroupResult.objects.filter(year=2019).exists()
    assert services.analysis_years() == [2022, 2023, 2024]
