"""Curator: logs a visit from the home page (a lesson observed, two recommendations), then
reviews a submitted half-year report and returns it to the school with a comment."""

import datetime

import pytest
from django.utils import timezone

from tests.roadmaps.conftest import make_roadmap, to_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_curator_logs_a_visit_and_returns_a_report(world, browser_login, live_server, artifact_dir):
    from curators.models import RecommendationStatus, Visit
    from roadmaps import services
    from roadmaps.models import ReportStatus

    roadmap = make_roadmap(world.a1_school1, title="Формирующее оценивание")
    report = to_state(
        services.progress_report_create(user=world.school_admin, roadmap=roadmap, period_start=roadmap.start_date),
        world,
        "submitted",
    )
    first = report.entries.order_by("pk").first()

    page = browser_login(world.curator)
    page.set_viewport_size({"width": 1280, "height": 900})

    # 1. From «My schools» on the home page: log a visit to СШ № 1.
    row = page.locator("tbody tr", has_text="СШ № 1")
    row.get_by_role("link", name="Визит").click()
    page.wait_for_url("**/curators/visits/new/**")
    page.select_option("#id_kind", "lessons")
    page.fill("#id_participants", "Директор, заместитель по УВР")
    page.fill("#id_findings", "Цели урока сформулированы, обратная связь учащимся эпизодическая")
    page.fill("#id_lessons-0-teacher", "Петрова А. А.")
    page.fill("#id_lessons-0-subject", "Математика")
    page.fill("#id_lessons-0-grade", "6")
    page.click("label[for=id_lessons-0-rating_goals_3]")
    page.click("label[for=id_lessons-0-rating_assessment_1]")
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    page.fill("#id_recs-0-text", "Ввести листы самооценки на уроках математики")
    page.fill("#id_recs-0-owner_text", "Учитель математики")
    page.fill("#id_recs-0-due_date", due)
    page.fill("#id_recs-1-text", "Провести педсовет по формирующему оцениванию")
    page.fill("#id_recs-1-owner_text", "Директор")
    page.fill("#id_recs-1-due_date", due)
    page.click("button[type=submit]:has-text('Сохранить визит')")
    page.wait_for_url("**/curators/visits/*/")
    assert page.locator("text=Визит записан.").count() == 1
    assert page.locator("text=Ввести листы самооценки на уроках математики").count() >= 1
    page.screenshot(path=str(artifact_dir / "journey_curator_1_visit.png"), full_page=True)
    visit = Visit.objects.get()
    assert (visit.curator, visit.school, visit.kind) == (world.curator, world.a1_school1, "lessons")
    lesson = visit.lessons.get()
    assert (lesson.subject, lesson.rating_goals, lesson.rating_assessment) == ("Математика", 3, 1)
    recs = visit.recommendations.order_by("text")
    assert [(r.text, r.owner_text) for r in recs] == [
        ("Ввести листы самооценки на уроках математики", "Учитель математики"),
        ("Провести педсовет по формирующему оцениванию", "Директор"),
    ]
    assert {r.status for r in recs} == {RecommendationStatus.OPEN}
    assert {r.due_date.isoformat() for r in recs} == {due}

    # 2. Back home: the report waiting for review; comment an activity and return it.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="I полугодие").first.click()
    page.wait_for_url(f"**/roadmaps/reports/{report.pk}/")
    page.fill(f"#id_c{first.pk}", "Приложите также лист регистрации участников")
    page.fill("#id_reason", "Не хватает подтверждения участия педагогов")
    page.get_by_role("button", name="Вернуть школе").click()
    page.wait_for_selector("text=Отчёт возвращён школе.")
    assert page.locator("text=Не хватает подтверждения участия педагогов").count() >= 1
    page.screenshot(path=str(artifact_dir / "journey_curator_2_returned.png"), full_page=True)
    report.refresh_from_db()
    first.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert report.return_reason == "Не хватает подтверждения участия педагогов"
    assert first.curator_comment == "Приложите также лист регистрации участников"
