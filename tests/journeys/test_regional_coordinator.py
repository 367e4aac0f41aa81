"""Regional coordinator: compares the municipalities of the region on the home page, the
schools list and the results page, and drills down to one school's card."""

import pytest

from core.years import academic_year_label, current_academic_year
from tests.factories import SchoolFactory
from tests.journeys.factories import order_for, results_workbook, school_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def region(world, tmp_path):
    """Region A with ШНОР in both municipalities and a year of results; B1 has data too (out of scope)."""
    from assessment import services as assessment
    from schools.models import SchoolStatus, StatusKind

    year = current_academic_year()
    world.a2_school2 = SchoolFactory(municipality=world.a2, code="A2S2", short_name="СШ № 5")
    for school in (world.a1_school1, world.a2_school1, world.b1_school1):
        order = order_for(school.municipality, f"{school.code}-од", "Об утверждении перечня ШНОР")
        SchoolStatus.objects.create(school=school, kind=StatusKind.LOW_RESULTS, year_from=year, order=order)
    label = academic_year_label(year)
    rows = (
        school_rows("A1S1", label, [6, 7, 8, 9, 10])
        + school_rows("A1S2", label, [14, 15, 16, 17, 18])
        + school_rows("A1S3", label, [12, 13, 14, 15, 16])
        + school_rows("A2S1", label, [5, 6, 7, 8, 9])
        + school_rows("A2S2", label, [15, 16, 17, 18, 19])
        + school_rows("B1S1", label, [10, 11, 12, 13, 14])
    )
    batch = assessment.import_file(path=str(results_workbook(tmp_path / "результаты.xlsx", rows)))
    assert batch.status == "done", batch.message
    assessment.analysis_run(years=[year])
    return world


def test_regional_coordinator_compares_municipalities_and_opens_a_school(
    region, browser_login, live_server, artifact_dir
):
    from assessment.models import SchoolIndex

    world = region
    year = current_academic_year()
    page = browser_login(world.regional)
    page.set_viewport_size({"width": 1280, "height": 900})

    # 1. Home: the region's schools (5 in A1 and A2, not B1's) and this year's ШНОР (2).
    panel = page.locator("section[aria-labelledby=panel-schools]")
    stats = panel.locator(".display-6").all_inner_texts()
    assert stats[0] == "5" and stats[3] == "2"
    page.screenshot(path=str(artifact_dir / "journey_regional_1_home.png"), full_page=True)

    # 2. The schools list, filtered by municipality А2.
    panel.get_by_role("link", name="Все школы").click()
    page.wait_for_url("**/schools/")
    page.locator("details.filter-panel > summary").click()  # the working table's filters fold above it
    filters = page.locator("details.filter-panel form")
    filters.locator("select[name=municipality]").select_option(label="Округ А2")
    filters.get_by_role("button", name="Применить").click()
    page.wait_for_url("**/schools/?*municipality=*")
    names = page.locator("table tbody tr").all_inner_texts()
    assert len(names) == 2
    assert any("Лицей № 9" in n for n in names) and any("СШ № 5" in n for n in names)
    page.screenshot(path=str(artifact_dir / "journey_regional_2_schools.png"), full_page=True)

    # 3. Results across municipalities: both of the region's spreads, none of B1.
    page.goto(f"{live_server.url}/assessment/?year={year}")
    spread = page.locator("section[aria-labelledby=h-spread] tbody").inner_text()
    assert "Округ А1" in spread and "Округ А2" in spread and "Округ Б1" not in spread
    indices = SchoolIndex.objects.filter(year=year, municipality__region=world.region_a)
    assert indices.count() == 5
    assert set(indices.filter(candidate=True).values_list("school_id", flat=True)) == {
        world.a1_school1.pk,
        world.a2_school1.pk,
    }
    rows = page.locator("table tbody tr", has_text="Лицей № 9").all_inner_texts()
    assert any("индекс ≤ 10-го процентиля муниципалитета" in r for r in rows)
    assert "Гимназия № 1" not in page.locator("main").inner_text()
    page.screenshot(path=str(artifact_dir / "journey_regional_3_results.png"), full_page=True)

    # 4. Drill down: Лицей № 9's results, then its card with the ШНОР status and the order.
    page.get_by_role("link", name="Лицей № 9").first.click()
    page.wait_for_url(f"**/assessment/school/{world.a2_school1.pk}/")
    assert page.locator("svg").count() >= 1
    page.screenshot(path=str(artifact_dir / "journey_regional_4_school_results.png"), full_page=True)
    page.get_by_role("link", name="Карточка ОО").click()
    page.wait_for_url(f"**/schools/{world.a2_school1.pk}/")
    assert page.locator("h1").inner_text().strip() == "Лицей № 9"
    statuses = page.locator("section", has_text="Статусы").last.inner_text()
    assert "Низкие образовательные результаты (ШНОР)" in statuses and "A2S1-од" in statuses
    page.screenshot(path=str(artifact_dir / "journey_regional_5_school_card.png"), full_page=True)
