"""Migration 0009: the analysis's grouping columns carry extended (ndistinct) statistics, so
the planner estimates the groups of the main scan and keeps its aggregate in memory at any
size of the results; the migration goes both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.assessment.test_migrations import migrate_to_latest

BEFORE = [("assessment", "0008_packed_replaced_results")]
AFTER = [("assessment", "0009_result_group_statistics")]


def statistics_columns() -> list[str] | None:
    with connection.cursor() as c:
        c.execute(
            """SELECT array_agg(a.attname ORDER BY a.attnum) FROM pg_statistic_ext s
               JOIN pg_attribute a ON a.attrelid = s.stxrelid AND a.attnum = ANY (s.stxkeys)
               WHERE s.stxname = 'assessment_result_groups' AND 'd' = ANY (s.stxkind)"""
        )
        columns = c.fetchone()[0]
    return sorted(columns) if columns else None


@pytest.mark.django_db(transaction=True)
def test_group_statistics_exist_and_the_migration_goes_both_ways():
    expected = sorted(["school_id", "year", "procedure_id", "subject_id", "grade", "teacher_code"])
    assert statistics_columns() == expected
    try:
        MigrationExecutor(connection).migrate(BEFORE)
        assert statistics_columns() is None
    finally:
        MigrationExecutor(connection).migrate(AFTER)
        migrate_to_latest()
    assert statistics_columns() == expected
