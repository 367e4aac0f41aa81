"""Migration 0008: the replaced results kept one row each are packed, and can still be rolled back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("assessment", "0007_lean_analysis_outputs")]
AFTER = [("assessment", "0008_packed_replaced_results")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest() -> None:
    """Every app at its newest migration again: the tests after this one (and the current
    models this one reads) expect the whole schema."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_kept_rows_are_packed_per_batch_and_previous_batch_and_roll_back():
    from assessment import models as current
    from assessment.services import import_batch_rollback

    old = _migrate(BEFORE)
    try:
        Batch = old.get_model("assessment", "ImportBatch")
        Result = old.get_model("assessment", "Result")
        Replaced = old.get_model("assessment", "ReplacedResult")
        first, second, third = (Batch.objects.create(original_name=f"{n}.csv", status="done") for n in "abc")

        def row(code, score, **kw):
            return dict(
                school_id=7, year=2024, procedure_id=1, subject_id=2, grade=5, student_code=code, score=score,
                max_score=20, mark=None if score < 5 else 4, term_mark=4, teacher_code="T1", class_letter="", **kw,
            )  # fmt: skip

        # «third» replaced S1, S2 (stored by «first») and S3 (by «second»); S4 came new with «third».
        Result.objects.bulk_create([Result(batch=third, **row(f"S{i}", 10 + i)) for i in range(1, 5)])
        Replaced.objects.bulk_create(
            [
                Replaced(batch=third, previous_batch=first, **row("S1", 1)),
                Replaced(batch=third, previous_batch=first, **row("S2", 2.5)),
                Replaced(batch=third, previous_batch=second, **row("S3", 6)),
            ]
        )
        ids = first.pk, second.pk, third.pk
    finally:
        _migrate(AFTER)
        migrate_to_latest()

    packs = current.ReplacedResultPack.objects.order_by("previous_batch_id")
    assert [(p.batch_id, p.previous_batch_id, p.rows) for p in packs] == [(ids[2], ids[0], 2), (ids[2], ids[1], 1)]
    kept = sorted((r["batch_id"], r["student_code"], r["score"], r["mark"]) for p in packs for r in p.unpacked())
    assert kept == [(ids[0], "S1", 1.0, None), (ids[0], "S2", 2.5, None), (ids[1], "S3", 6.0, 4)]

    import_batch_rollback(batch=current.ImportBatch.objects.get(pk=ids[2]), user=None)
    got = sorted(current.Result.objects.values_list("batch_id", "student_code", "score", "mark"))
    assert got == [(ids[0], "S1", 1.0, None), (ids[0], "S2", 2.5, None), (ids[1], "S3", 6.0, 4)]
    assert not current.ReplacedResultPack.objects.exists()
