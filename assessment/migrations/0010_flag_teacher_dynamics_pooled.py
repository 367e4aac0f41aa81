"""Teachers' negative dynamics are pooled over the teacher's grades (RESULTS.md): such a flag
names no grade.  The per-grade teacher flags of the old rule are derived data and are
removed; ``analyse_results`` (nightly, or by hand after the deploy) computes the new ones."""

from django.db import migrations, models


def drop_per_grade_teacher_flags(apps, schema_editor):
    apps.get_model("assessment", "Flag").objects.filter(kind="teacher_dynamics").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0009_result_group_statistics"),
    ]

    operations = [
        migrations.AlterField(
            model_name="flag",
            name="grade",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="grade"),
        ),
        migrations.RunPython(drop_per_grade_teacher_flags, migrations.RunPython.noop),
    ]
