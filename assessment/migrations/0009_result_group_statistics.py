"""Extended statistics (ndistinct) on the analysis's grouping columns of the results.

Without them PostgreSQL multiplies the columns' distinct counts to estimate the groups of
the analysis's main scan (school, year, procedure, subject, grade, teacher): at 20 M rows
the estimate was far above the real 168,000 groups, so it sorted the rows on disk (1.5 GB
spilled, 64 s) instead of a hash aggregate that fits in 30 MB (20 s, same machine and run;
bench/README.md «Scale»).  ANALYZE (the analysis runs it when the results changed) fills
them.  PostgreSQL only; nothing on SQLite."""

from django.db import migrations

NAME = "assessment_result_groups"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {NAME} (ndistinct) "
            "ON school_id, year, procedure_id, subject_id, grade, teacher_code FROM assessment_result"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("assessment", "0008_packed_replaced_results")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
