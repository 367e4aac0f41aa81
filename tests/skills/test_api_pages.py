"""The API fields of TASKS.md §3, scope, and one truth: pages, card, API and selectors agree."""

import pytest
from django.urls import reverse

from skills import selectors
from skills.models import Skill, SkillResult, TaskResult

pytestmark = pytest.mark.django_db

TASK_FIELDS = [
    "school_code",
    "year",
    "procedure",
    "subject",
    "grade",
    "task",
    "max_score",
    "skill",
    "participants",
    "completion",
    "municipal_completion",
]
SKILL_FIELDS = [
    "school_code",
    "year",
    "procedure",
    "subject",
    "grade",
    "skill",
    "participants",
    "completion",
    "municipal_completion",
    "deficit",
]


def test_task_results_api_fields_and_values(tasks_world, api):
    r = api(tasks_world.coordinator).get("/api/v1/assessment/task-results/", {"school": tasks_world.a1_school1.pk})
    assert r.status_code == 200
    rows = r.json()["results"]
    assert list(rows[0]) == TASK_FIELDS
    got = {row["task"]: row for row in rows}
    assert got["1"]["completion"] == pytest.approx(40.0)
    assert got["3.1"]["municipal_completion"] == pytest.approx(65.0)
    assert got["2"]["max_score"] == 2 and got["2"]["skill"] == "Умение решать задачи"
    assert got["1"]["procedure"] == "ВСОКО" and got["1"]["subject"] == "Математика" and got["1"]["year"] == 2023


def test_skill_results_api_agrees_with_the_stored_figures(tasks_world, api):
    r = api(tasks_world.coordinator).get(
        "/api/v1/assessment/skill-results/", {"year": 2023, "procedure": "ВСОКО", "subject": "Математика", "grade": 7}
    )
    rows = r.json()["results"]
    assert list(rows[0]) == SKILL_FIELDS
    stored = {(s.school.code, s.skill.text): s for s in selectors.skill_results(tasks_world.coordinator)}
    assert len(rows) == len(stored) == 4
    for row in rows:
        s = stored[(row["school_code"], row["skill"])]
        assert row["completion"] == s.completion  # unrounded, the same float
        assert row["municipal_completion"] == s.municipal_completion
        assert row["deficit"] is s.deficit


def test_api_is_scoped(tasks_world, api):
    own = api(tasks_world.school_admin2).get("/api/v1/assessment/skill-results/").json()["results"]
    assert {r["school_code"] for r in own} == {"A1S2"}
    assert api(tasks_world.outsider).get("/api/v1/assessment/task-results/").json()["results"] == []
    assert api(None).get("/api/v1/assessment/task-results/").status_code in (401, 403)


def test_plan_import_over_the_api(world, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.skills.conftest import PLAN_HEADER, PLAN_ROWS, to_csv

    upload = SimpleUploadedFile("plan.csv", to_csv(PLAN_ROWS, header=PLAN_HEADER))
    r = api(world.coordinator).post("/api/v1/assessment/task-plan-imports/", {"file": upload}, format="multipart")
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "done" and r.json()["plans_total"] == 1
    plans = api(world.coordinator).get("/api/v1/assessment/task-plans/").json()["results"]
    assert [t["label"] for t in plans[0]["tasks"]] == ["1", "2", "3.1"]
    bad = SimpleUploadedFile("plan.csv", to_csv([[*PLAN_ROWS[0][:5], 0, *PLAN_ROWS[0][6:]]], header=PLAN_HEADER))
    r = api(world.coordinator).post("/api/v1/assessment/task-plan-imports/", {"file": bad}, format="multipart")
    assert r.status_code == 400 and r.json()["errors"][0]["column"] == "Максимальный балл"
    upload = SimpleUploadedFile("plan.csv", to_csv(PLAN_ROWS, header=PLAN_HEADER))
    r = api(world.school_admin).post("/api/v1/assessment/task-plan-imports/", {"file": upload}, format="multipart")
    assert r.status_code == 403


def test_plan_import_page_preview_then_confirm(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from skills.models import PlanImport, TaskPlan
    from tests.skills.conftest import PLAN_HEADER, PLAN_ROWS, to_xlsx

    client = login(world.coordinator)
    assert client.get(reverse("skills:import-template")).status_code == 200
    upload = SimpleUploadedFile("plan.xlsx", to_xlsx(PLAN_ROWS, header=PLAN_HEADER))
    r = client.post(reverse("skills:import-upload"), {"file": upload}, follow=True)
    assert r.status_code == 200
    batch = PlanImport.objects.get()
    assert batch.status == "checked" and not TaskPlan.objects.exists()
    assert "Умение решать задачи" in r.content.decode()
    r = client.post(reverse("skills:import-apply", args=[batch.pk]), follow=True)
    assert TaskPlan.objects.get().max_total == 5
    plan = TaskPlan.objects.get()
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "3.1" in page and "1.3;1.4" in page
    assert login(world.school_admin).get(reverse("skills:import-upload")).status_code == 404


def test_school_profile_page_card_and_selector_agree(tasks_world, login):
    school = tasks_world.a1_school1
    client = login(tasks_world.coordinator)
    page = client.get(reverse("skills:school", args=[school.pk])).content.decode()
    count = Skill.objects.get(key="умение считать")
    own = SkillResult.objects.get(school=school, skill=count)
    assert "33,3" in page and "66,7" in page  # the school's and the municipality's completion
    assert "<svg" in page and "!" in page
    card = client.get(school.get_absolute_url()).content.decode()
    assert "Умение считать" in card and f"{own.gap:.1f}".replace(".", ",") in card
    assert login(tasks_world.outsider).get(reverse("skills:school", args=[school.pk])).status_code == 404


def test_weak_skill_and_deficit_pages(tasks_world, login):
    client = login(tasks_world.coordinator)
    r = client.get(reverse("skills:deficit-list"))
    assert r.status_code == 200
    table = r.context["table"]
    assert {row.record.school.code for row in table.rows} == {"A1S1"}
    r = client.get(reverse("skills:weak-skills"), {"weak": "false"})
    assert r.status_code == 200 and len(r.context["table"].rows) == 2
    r = client.get(reverse("skills:deficit-list"), {"export": "xlsx"})
    assert r.status_code == 200


def test_task_results_recomputed_after_a_rollback(tasks_world):
    from assessment.models import ImportBatch
    from assessment.services import analysis_run, import_batch_rollback

    import_batch_rollback(batch=ImportBatch.objects.get(), user=None)
    analysis_run(trigger="test")
    assert not TaskResult.objects.exists()


def test_plan_import_page_cancel_refusal_and_error_file(world, login):
    """The shared import views (core/imports.py) as the plan import uses them: cancel a checked
    file, a second cancel refused with a message, a refused file's error column, 404 outside."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from skills.models import PlanImport, TaskPlan
    from tests.skills.conftest import PLAN_HEADER, PLAN_ROWS, to_xlsx

    client = login(world.coordinator)
    client.post(
        reverse("skills:import-upload"),
        {"file": SimpleUploadedFile("plan.xlsx", to_xlsx(PLAN_ROWS, header=PLAN_HEADER))},
    )
    checked = PlanImport.objects.get()
    r = client.post(reverse("skills:import-cancel", args=[checked.pk]), follow=True)
    checked.refresh_from_db()
    assert checked.status == "cancelled" and not TaskPlan.objects.exists()
    r = client.post(reverse("skills:import-apply", args=[checked.pk]), follow=True)
    assert not TaskPlan.objects.exists() and "alert-danger" in r.content.decode()

    bad = [row[:] for row in PLAN_ROWS]
    bad[1][5] = "два"  # a maximum that is not a number
    client.post(
        reverse("skills:import-upload"), {"file": SimpleUploadedFile("bad.xlsx", to_xlsx(bad, header=PLAN_HEADER))}
    )
    refused = PlanImport.objects.exclude(pk=checked.pk).get()
    assert refused.status == "failed"
    r = client.get(reverse("skills:import-errors", args=[refused.pk]))
    assert r.status_code == 200 and f"task-plan-errors-{refused.pk}." in r["Content-Disposition"]
    assert login(world.school_admin).get(reverse("skills:import-errors", args=[refused.pk])).status_code == 404
