"""TASKS.md §1–§3 by hand: the plan, the task scores in the results, the figures."""

import pytest

from skills.models import (
    MunicipalSkillResult,
    PlanTask,
    Skill,
    SkillResult,
    TaskPlan,
    TaskResult,
    normalise_label,
    normalise_skill,
)

pytestmark = pytest.mark.django_db


def test_normalisation():
    assert normalise_skill("  Умение   считать ёлки.;: ") == "умение считать елки"
    assert normalise_label(" 5(2) ") == "5.2"
    assert normalise_label(12.0) == "12"
    assert normalise_label("5.1") == "5.1"


def test_plan_import_builds_one_skill_per_normalised_text(tasks_world):
    plan = TaskPlan.objects.get()
    assert plan.max_total == 5
    assert [(t.label, t.position, t.max_score) for t in plan.tasks.order_by("order")] == [
        ("1", 0, 1),
        ("2", 1, 2),
        ("3.1", 2, 2),
    ]
    assert Skill.objects.count() == 2
    assert PlanTask.objects.get(label="3.1").skill == PlanTask.objects.get(label="1").skill
    assert PlanTask.objects.get(label="2").kes_codes == "1.3;1.4"


def test_task_scores_stored_as_one_array_per_result(tasks_world):
    from assessment.models import Result

    r = Result.objects.get(school__code="A1S1", student_code="S4")
    assert r.task_scores == [0, None, 1]


def test_figures_by_hand(tasks_world):
    tr = {(t.school.code, t.task): t for t in TaskResult.objects.select_related("school")}
    assert tr[("A1S1", "1")].completion == pytest.approx(40.0)
    assert tr[("A1S1", "2")].completion == pytest.approx(40.0)
    assert tr[("A1S1", "3.1")].completion == pytest.approx(30.0)
    assert tr[("A1S1", "1")].participants == 5
    assert tr[("A1S1", "1")].municipal_completion == pytest.approx(70.0)
    assert tr[("A1S2", "2")].completion == pytest.approx(100.0)
    assert tr[("A1S1", "2")].municipal_completion == pytest.approx(70.0)  # (4 + 10) / 20
    assert tr[("A1S1", "3.1")].municipal_completion == pytest.approx(65.0)  # (3 + 10) / 20
    count = Skill.objects.get(key="умение считать")
    tasks = Skill.objects.get(key="умение решать задачи")
    sr = {(s.school.code, s.skill_id): s for s in SkillResult.objects.select_related("school")}
    own = sr[("A1S1", count.pk)]
    assert own.completion == pytest.approx(100 * 5 / 15)
    assert own.municipal_completion == pytest.approx(100 * 20 / 30)
    assert own.gap == pytest.approx(100 * 20 / 30 - 100 * 5 / 15)
    assert own.deficit is True
    assert own.tasks == "1, 3.1"
    assert sr[("A1S1", tasks.pk)].completion == pytest.approx(40.0)
    assert sr[("A1S1", tasks.pk)].deficit is True
    assert sr[("A1S2", tasks.pk)].deficit is False
    muni = MunicipalSkillResult.objects.get(skill=count)
    assert muni.completion == pytest.approx(100 * 20 / 30)
    assert muni.participants == 10
    assert muni.weak is False
    assert muni.deficit_schools == 1


def test_reanalysis_stores_the_same(tasks_world):
    from assessment.services import analysis_run

    before = sorted(TaskResult.objects.values_list("school_id", "task", "completion", "municipal_completion"))
    analysis_run(trigger="test")
    assert sorted(TaskResult.objects.values_list("school_id", "task", "completion", "municipal_completion")) == before
