"""School administrator: fills the year's risk profile, submits the half-year report with an
evidence file, and registers two teachers for a seminar."""

from decimal import Decimal

import pytest

from core.years import current_academic_year
from tests.events.conftest import make_event
from tests.roadmaps.conftest import make_roadmap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_school_admin_fills_risks_submits_report_and_registers_teachers(
    world, browser_login, live_server, artifact_dir, tmp_path
):
    from events.models import Registration
    from roadmaps import services
    from roadmaps.models import Evidence, ReportStatus
    from schools.models import RiskAssessment, RiskFactor

    year = current_academic_year()
    factors = list(RiskFactor.objects.filter(is_active=True))
    assert len(factors) >= 2
    roadmap = make_roadmap(world.a1_school1, title="Формирующее оценивание")
    report = services.progress_report_create(user=world.school_admin, roadmap=roadmap, period_start=roadmap.start_date)
    first, second = report.entries.order_by("pk")
    event = make_event(world.a1, host_school=world.a1_school2, capacity=20, title="Семинар «Читательская грамотность»")
    evidence = tmp_path / "протокол-семинара.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    page = browser_login(world.school_admin)
    page.set_viewport_size({"width": 1280, "height": 900})

    # 1. Risk profile, from the school card: a missing level is refused, then all are saved.
    page.goto(f"{live_server.url}/schools/{world.a1_school1.pk}/")
    page.get_by_role("link", name="Заполнить").first.click()
    page.wait_for_url(f"**/schools/{world.a1_school1.pk}/risks/**")
    for factor in factors[1:]:
        page.check(f"input[name=factor_{factor.pk}][value=low]")
    page.get_by_role("button", name="Сохранить рисковый профиль").click()
    page.wait_for_selector("text=Выберите уровень.")
    assert not RiskAssessment.objects.filter(school=world.a1_school1).exists()
    page.check(f"input[name=factor_{factors[0].pk}][value=high]")
    page.fill(f"#id_comment_{factors[0].pk}", "Дефицит учителей математики")
    page.get_by_role("button", name="Сохранить рисковый профиль").click()
    page.wait_for_selector("text=Рисковый профиль сохранён.")
    page.screenshot(path=str(artifact_dir / "journey_school_1_risks.png"), full_page=True)
    saved = RiskAssessment.objects.filter(school=world.a1_school1, year=year)
    assert saved.count() == len(factors)
    top = saved.get(factor=factors[0])
    assert (top.level, top.comment, top.filled_by) == ("high", "Дефицит учителей математики", world.school_admin)
    assert set(saved.exclude(factor=factors[0]).values_list("level", flat=True)) == {"low"}

    # 2. The half-year report with an evidence file, sent to the curator.
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.get_by_role("link", name="I полугодие").first.click()
    page.get_by_role("link", name="Заполнить отчёт").click()
    page.select_option(f"#id_e{first.pk}_status", "done")
    page.fill(f"#id_e{first.pk}_comment", "Проведены 3 семинара-практикума")
    page.fill(f"#id_e{first.pk}_i{first.activity.indicators.get().pk}", "45,5")
    page.set_input_files(f"#id_e{first.pk}_file", str(evidence))
    page.select_option(f"#id_e{second.pk}_status", "in_progress")
    page.fill(f"#id_e{second.pk}_i{second.activity.indicators.get().pk}", "30")
    page.get_by_role("button", name="Сохранить и отправить куратору").click()
    page.wait_for_selector("text=Отчёт отправлен куратору.")
    page.screenshot(path=str(artifact_dir / "journey_school_2_report.png"), full_page=True)
    report.refresh_from_db()
    first.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert first.status == "done" and first.comment == "Проведены 3 семинара-практикума"
    actual = first.activity.indicators.get().actuals.get(period_start=report.period_start)
    assert actual.value == Decimal("45.50")
    assert Evidence.objects.filter(entry=first).count() == 1

    # 3. Two teachers for the seminar, from the events list.
    page.goto(f"{live_server.url}/events/")
    page.get_by_role("link", name="Семинар «Читательская грамотность»").click()
    page.wait_for_url(f"**/events/{event.pk}/")
    assert page.locator("#id_school").input_value() == str(world.a1_school1.pk)
    page.fill(
        "#id_people", "Иванова Анна Сергеевна, учитель математики\nПетрова Мария Ивановна, учитель русского языка"
    )
    page.get_by_role("button", name="Зарегистрировать").click()
    page.wait_for_selector("text=Зарегистрировано: 2")
    assert page.locator("#registrations tbody tr").count() == 2
    page.screenshot(path=str(artifact_dir / "journey_school_3_event.png"), full_page=True)
    regs = Registration.objects.filter(event=event)
    assert sorted(regs.values_list("full_name", flat=True)) == ["Иванова Анна Сергеевна", "Петрова Мария Ивановна"]
    assert set(regs.values_list("school_id", flat=True)) == {world.a1_school1.pk}
