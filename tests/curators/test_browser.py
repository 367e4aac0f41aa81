"""A curator logs a visit from a phone-sized screen: a lesson with ratings and two
recommendations (the second added with the «Add a recommendation» button)."""

import datetime

import pytest
from django.utils import timezone

from curators.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_curator_logs_visit_with_two_recommendations(world, browser_login, live_server, artifact_dir):
    page = browser_login(world.curator)
    page.set_viewport_size({"width": 412, "height": 915})
    page.goto(f"{live_server.url}/curators/visits/new/?school={world.a1_school1.pk}")
    page.select_option("#id_kind", "lessons")
    page.fill("#id_participants", "Директор, заместитель по УВР")
    page.fill("#id_findings", "Уроки структурированы, обратной связи мало")
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
    # The JS adds a third, empty recommendation form; left empty, it is ignored.
    page.click("[data-formset='recs'] [data-formset-add]")
    assert page.locator("#id_recs-2-text").count() == 1
    page.screenshot(path=str(artifact_dir / "curator_visit_form.png"), full_page=True)
    page.click("button[type=submit]:has-text('Сохранить визит')")
    page.wait_for_url("**/curators/visits/*/")
    assert page.locator("text=Визит записан.").count() == 1
    assert page.locator("#rec-h").count() == 1
    page.screenshot(path=str(artifact_dir / "curator_visit_detail.png"), full_page=True)
    visit = Visit.objects.get()
    assert visit.curator == world.curator and visit.school == world.a1_school1
    assert sorted(visit.recommendations.values_list("owner_text", flat=True)) == ["Директор", "Учитель математики"]
    assert visit.lessons.get().rating_assessment == 1
