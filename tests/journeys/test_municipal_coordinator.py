"""Municipal coordinator: starts the programme year (the ШНОР list on an order, a curator for a
school), imports a results file and builds the municipal monitoring report — through the pages."""

import pytest

from core.years import academic_year_label, current_academic_year
from tests.journeys.factories import order_for, results_workbook, school_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_starts_the_year_imports_results_and_builds_the_report(
    world, browser_login, live_server, artifact_dir, tmp_path
):
    from assessment.models import Result
    from curators.models import CuratorAssignment
    from reports.models import GeneratedReport, ReportStatus
    from schools.models import SchoolStatus, StatusKind

    year = current_academic_year()
    order = order_for(world.a1, "15-од", "Об утверждении перечня ШНОР")
    page = browser_login(world.coordinator)
    page.set_viewport_size({"width": 1280, "height": 900})

    # 1. The yearly ШНОР list: without an order it is refused, with the order it is saved.
    page.goto(f"{live_server.url}/schools/statuses/yearly-list/")
    page.select_option("#id_schools", [str(world.a1_school1.pk), str(world.a1_school2.pk)])
    page.get_by_role("button", name="Сохранить перечень").click()
    page.wait_for_selector("text=Перечень школ должен опираться на приказ: выберите приказ.")
    assert not SchoolStatus.objects.exists()
    page.select_option("#id_order", str(order.pk))
    page.get_by_role("button", name="Сохранить перечень").click()
    page.wait_for_url("**/schools/statuses/movement/**")
    assert page.locator(f"text=Перечень на {academic_year_label(year)} сохранён: вошли 2").count() == 1
    page.screenshot(path=str(artifact_dir / "journey_coordinator_1_list.png"), full_page=True)
    statuses = SchoolStatus.objects.filter(kind=StatusKind.LOW_RESULTS, year_from=year, order=order)
    assert set(statuses.values_list("school_id", flat=True)) == {world.a1_school1.pk, world.a1_school2.pk}

    # 2. The school → curators grid lists the new ШНОР; appoint a curator to СШ № 2.
    page.goto(f"{live_server.url}/curators/assignments/grid/")
    row = page.locator("tbody tr", has_text="СШ № 2")
    assert row.locator("text=нет куратора").count() == 1
    row.get_by_role("link", name="Назначить").click()
    assert page.locator("#id_school").input_value() == str(world.a1_school2.pk)
    page.select_option("#id_curator", str(world.curator.pk))
    page.select_option("#id_order", str(order.pk))
    page.locator("form [type=submit]").last.click()
    page.wait_for_selector("text=Назначение сохранено.")
    row = page.locator("tbody tr", has_text="СШ № 2")
    assert row.locator(f"text={world.curator.short_name}").count() == 1
    page.screenshot(path=str(artifact_dir / "journey_coordinator_2_grid.png"), full_page=True)
    assignment = CuratorAssignment.objects.get(school=world.a1_school2, year=year)
    assert assignment.curator == world.curator and assignment.order == order and assignment.is_active

    # 3. Import a results file: upload → progress → summary.
    label = academic_year_label(year)
    rows = (
        school_rows("A1S1", label, [8, 9, 10, 11, 12])
        + school_rows("A1S2", label, [14, 15, 16, 17, 18])
        + school_rows("A1S3", label, [10, 12, 14, 16, 18])
    )
    path = results_workbook(tmp_path / "результаты-впр.xlsx", rows)
    page.goto(f"{live_server.url}/assessment/imports/new/")
    page.set_input_files("input[type=file]", str(path))
    page.locator("form [type=submit]").last.click()
    page.wait_for_selector("[data-status=done]", timeout=20000)
    assert page.locator(".progress-bar").inner_text().strip() == "100 %"
    assert page.locator(f"text=Загружено строк: {len(rows)}").count() == 1
    page.screenshot(path=str(artifact_dir / "journey_coordinator_3_import.png"), full_page=True)
    assert Result.objects.filter(year=year).count() == len(rows)
    assert Result.objects.filter(school=world.a1_school2).count() == 5

    # 4. «Документы»: build the municipal monitoring report and download the PDF.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Документы").first.click()
    page.wait_for_url("**/reports/")
    # The filter sidebar repeats the ids id_kind / id_municipality / id_year: scope to the form.
    build = page.locator("form[action$='/reports/new/']")
    build.locator("select[name=kind]").select_option(label="Муниципальный мониторинговый отчёт")
    build.locator("select[name=municipality]").select_option(str(world.a1.pk))
    build.locator("select[name=year]").select_option(str(year))
    build.get_by_role("button", name="Сформировать документ").click()
    page.wait_for_selector("text=Документ готов.", timeout=30000)
    report = GeneratedReport.objects.get()
    assert report.status == ReportStatus.DONE and report.municipality == world.a1 and report.year == year
    page.screenshot(path=str(artifact_dir / "journey_coordinator_4_report.png"), full_page=True)
    # The PDF opens inline (Content-Disposition: inline): fetch it with the page's session.
    href = page.get_by_role("link", name="Скачать").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert len(response.body()) == report.file.size
