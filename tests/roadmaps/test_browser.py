"""The school administrator fills and submits a half-year report with an evidence file; the
curator returns it with a comment.  Screenshots in test-artifacts/."""

import pytest

from roadmaps.models import Evidence, ReportStatus

from .conftest import make_roadmap


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_school_admin_submits_and_curator_returns(world, browser_login, live_server, artifact_dir, tmp_path):
    from roadmaps import services

    roadmap = make_roadmap(world.a1_school1, title="Формирующее оценивание")
    report = services.progress_report_create(user=world.school_admin, roadmap=roadmap, period_start=roadmap.start_date)
    first, second = report.entries.order_by("pk")
    evidence = tmp_path / "протокол-семинара.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    page = browser_login(world.school_admin)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.get_by_role("link", name="I полугодие").first.click()
    page.get_by_role("link", name="Заполнить отчёт").click()
    page.select_option(f"#id_e{first.pk}_status", "done")
    page.fill(f"#id_e{first.pk}_comment", "Проведены 3 семинара-практикума")
    ind1 = first.activity.indicators.get()
    page.fill(f"#id_e{first.pk}_i{ind1.pk}", "45,5")
    page.set_input_files(f"#id_e{first.pk}_file", str(evidence))
    page.select_option(f"#id_e{second.pk}_status", "cancelled")
    assert page.is_visible(f"#id_e{second.pk}_cancel_reason")
    page.fill(f"#id_e{second.pk}_cancel_reason", "Перенесено на II полугодие приказом директора")
    page.screenshot(path=str(artifact_dir / "roadmaps_report_filled.png"), full_page=True)
    page.get_by_role("button", name="Сохранить и отправить куратору").click()
    page.wait_for_selector("text=Отчёт отправлен куратору.")
    page.screenshot(path=str(artifact_dir / "roadmaps_report_submitted.png"), full_page=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert Evidence.objects.filter(entry=first).count() == 1

    page.context.clear_cookies()
    page = browser_login(world.curator)
    page.get_by_role("link", name="I полугодие").first.click()  # from the home panel
    page.fill(f"#id_c{first.pk}", "Приложите также лист регистрации участников")
    page.fill("#id_reason", "Не хватает подтверждения участия педагогов")
    page.screenshot(path=str(artifact_dir / "roadmaps_report_review.png"), full_page=True)
    page.get_by_role("button", name="Вернуть школе").click()
    page.wait_for_selector("text=Отчёт возвращён школе.")
    page.screenshot(path=str(artifact_dir / "roadmaps_report_returned.png"), full_page=True)
    report.refresh_from_db()
    first.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert report.return_reason == "Не хватает подтверждения участия педагогов"
    assert first.curator_comment == "Приложите также лист регистрации участников"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_school_admin_edits_the_tree_inline(world, browser_login, live_server, artifact_dir):
    roadmap = make_roadmap(world.a1_school1, title="Дерево")
    task = roadmap.goals.get().tasks.get()
    page = browser_login(world.school_admin)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.get_by_role("link", name="Добавить мероприятие").click()
    form = page.locator(f"#form-new-activity-{task.pk} form")
    form.locator("#id_activity-title").fill("Открытые уроки с приёмами обратной связи")
    form.locator("#id_activity-responsible_name").fill("Сидорова Н. П.")
    form.locator("#id_activity-due_date").fill(f"{roadmap.end_date.year + 1}-01-15")
    form.get_by_role("button", name="Сохранить").click()
    page.wait_for_selector("text=Срок должен входить в период дорожной карты")
    page.screenshot(path=str(artifact_dir / "roadmaps_tree_error.png"), full_page=True)
    form = page.locator(f"#form-new-activity-{task.pk} form")
    form.locator("#id_activity-due_date").fill(f"{roadmap.end_date.year}-04-15")
    form.get_by_role("button", name="Сохранить").click()
    page.wait_for_selector("#roadmap-tree >> text=Открытые уроки с приёмами обратной связи")
    page.screenshot(path=str(artifact_dir / "roadmaps_tree_saved.png"), full_page=True)
    assert task.activities.filter(title="Открытые уроки с приёмами обратной связи").exists()
    # The new activity has no indicator yet: the quality check says so at once.
    assert page.is_visible("text=«Открытые уроки с приёмами обратной связи»: нет измеримого показателя")
