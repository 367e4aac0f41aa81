"""The commands: generate_results --tasks writes a plan and a results file with task columns
that import_task_plan and import_results take whole; a bad plan exits non-zero with its errors."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessment.models import Result
from skills.models import PlanTask, TaskPlan

pytestmark = pytest.mark.django_db


def test_generated_files_import_and_carry_task_scores(world, tmp_path):
    out = tmp_path / "results.csv"
    call_command("generate_results", schools=3, years=1, first_year=2024, seed=5, out=str(out), tasks=True, verbosity=0)
    plan = tmp_path / "results-plan.csv"
    assert plan.exists()
    call_command("import_task_plan", str(plan), "--dry-run")
    assert not TaskPlan.objects.exists()
    call_command("import_task_plan", str(plan))
    assert TaskPlan.objects.filter(year=2024).count() == 12  # ВПР 4–8 and ОГЭ 9, in two subjects
    assert PlanTask.objects.filter(label="5.2").exists()  # «5(2)» read as «5.2»
    from schools.models import School

    for i, code in enumerate(["SYN00001", "SYN00002", "SYN00003"]):
        School.objects.create(municipality=world.a1, code=code, short_name=f"Школа {i}", name=f"Школа {i}")
    call_command("import_results", str(out))
    with_tasks = Result.objects.exclude(task_scores=None)
    assert with_tasks.exists()
    for r in with_tasks[:200]:
        scores = [s for s in r.task_scores if s is not None]
        if len(scores) == len(r.task_scores):
            assert sum(scores) == r.score
    assert not Result.objects.filter(procedure__code="ЕГЭ").exclude(task_scores=None).exists()


def test_a_bad_plan_exits_non_zero(world, tmp_path):
    from tests.skills.conftest import PLAN_HEADER, to_csv

    path = tmp_path / "plan.csv"
    path.write_bytes(to_csv([["2024/2025", "ВПР", "Математика", 5, "1", 3, "Умение", "", ""]], header=PLAN_HEADER))
    with pytest.raises(CommandError):
        call_command("import_task_plan", str(path))
    assert not TaskPlan.objects.exists()
