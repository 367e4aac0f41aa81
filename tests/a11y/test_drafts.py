"""Curators at rural schools lose the connection: the visit form and the progress-report form
keep what was typed in the browser until the server has saved it — back after a reload, kept
through a send without a connection, cleared once saved (static/js/drafts.js)."""

import datetime

import pytest

pytestmark = pytest.mark.browser

DRAFTS = "() => Object.keys(localStorage).filter(k => k.startsWith('opora-draft:'))"


def test_a_visit_typed_on_a_phone_survives_a_reload_and_no_connection_and_is_cleared_once_saved(
    open_as, demo_site, artifact_dir
):
    from accounts.models import User
    from curators.models import CuratorAssignment, Visit

    curator = User.objects.get(username="curator")
    school = CuratorAssignment.objects.current().filter(curator=curator).order_by("school__sort_name").first().school
    page = open_as("curator", 375)
    form_url = f"{demo_site.url}/curators/visits/new/?school={school.pk}"
    page.goto(form_url)

    findings = "Цели урока сформулированы; обратная связь учащимся эпизодическая"
    page.fill("#id_findings", findings)
    page.fill("#id_participants", "Директор, заместитель по УВР")
    page.fill("#id_lessons-0-teacher", "Петрова А. А.")
    page.fill("#id_lessons-0-subject", "Математика")
    page.fill("#id_lessons-0-grade", "6")
    page.click("label[for=id_lessons-0-rating_goals_3]")
    page.click("[data-formset=lessons] [data-formset-add]")  # a second lesson, added in the page
    page.fill("#id_lessons-1-teacher", "Сидорова В. П.")
    page.fill("#id_lessons-1-subject", "Русский язык")
    page.fill("#id_lessons-1-grade", "7")
    page.fill("#id_recs-0-text", "Ввести листы самооценки")
    page.wait_for_function(f"() => ({DRAFTS})().length === 1")
    key = page.evaluate(DRAFTS)[0]
    assert key == f"opora-draft:{curator.pk}:visit-new"

    page.reload()  # or the tab was closed, or the phone restarted the browser
    assert page.input_value("#id_findings") == findings
    assert page.input_value("#id_lessons-1-teacher") == "Сидорова В. П."
    assert page.is_checked("#id_lessons-0-rating_goals_3")
    assert page.input_value("#id_recs-0-text") == "Ввести листы самооценки"
    note = page.locator(".draft-note")
    assert "Восстановлено" in note.inner_text() and "ещё не сохранено" in note.inner_text()
    page.screenshot(path=str(artifact_dir / "drafts-visit-restored-375.png"), full_page=True)

    # No connection at the school: the form is not sent, nothing is lost, the person is told.
    page.select_option("#id_kind", "lessons")
    page.fill("#id_recs-0-owner_text", "Учитель математики")
    page.fill("#id_recs-0-due_date", (datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    page.context.set_offline(True)
    page.click("button[type=submit]:has-text('Сохранить визит')")
    assert "Нет связи" in page.locator(".draft-note").inner_text()
    assert page.url == form_url and not Visit.objects.filter(findings=findings).exists()
    assert page.evaluate(f"() => JSON.parse(localStorage.getItem('{key}')).values.findings") == findings

    page.context.set_offline(False)
    page.click("button[type=submit]:has-text('Сохранить визит')")
    page.wait_for_url(f"{demo_site.url}/curators/visits/*/")
    visit = Visit.objects.get(findings=findings)
    assert sorted(visit.lessons.values_list("teacher", flat=True)) == ["Петрова А. А.", "Сидорова В. П."]
    assert page.evaluate(DRAFTS) == []  # cleared by the page that says the visit is saved

    page.goto(form_url)
    assert page.input_value("#id_findings") == "" and page.locator(".draft-note").count() == 0


def test_a_progress_report_keeps_typed_comments_until_saved(open_as, demo_site, artifact_dir):
    from roadmaps.models import ProgressReport

    report = (
        ProgressReport.objects.filter(roadmap__school__staff__username="school", status__in=["draft", "returned"])
        .order_by("pk")
        .first()
    )
    assert report is not None, "the demo has an editable report for the school"
    page = open_as("school", 375)
    edit_url = f"{demo_site.url}/roadmaps/reports/{report.pk}/edit/"
    page.goto(edit_url)
    comment = page.locator("#report-form textarea").first
    name = comment.get_attribute("name")
    text = "Проведено три методических дня; листы посещения приложены"
    comment.fill(text)
    page.wait_for_function(f"() => ({DRAFTS})().length === 1")

    page.reload()
    assert page.locator(f"[name='{name}']").input_value() == text
    assert page.locator(".draft-note").count() == 1
    page.screenshot(path=str(artifact_dir / "drafts-report-restored-375.png"), full_page=True)

    page.click("button[name=save]")
    page.wait_for_url(edit_url)
    assert page.locator(".alert-success").count() == 1
    assert page.locator(f"[name='{name}']").input_value() == text  # now it is the server's value
    assert page.evaluate(DRAFTS) == [] and page.locator(".draft-note").count() == 0
    report.refresh_from_db()
    assert report.entries.filter(comment=text).count() == 1
