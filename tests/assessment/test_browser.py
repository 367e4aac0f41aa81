import pytest

from tests.assessment.conftest import hand_rows, to_csv


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_coordinator_uploads_a_file_and_sees_the_summary(world, browser_login, live_server, artifact_dir, tmp_path):
    from assessment.models import Result

    page = browser_login(world.coordinator)
    page.goto(f"{live_server.url}/assessment/imports/new/")
    rows = [r for r in hand_rows() if r[0].startswith("A1")]
    path = tmp_path / "результаты.csv"
    path.write_bytes(to_csv(rows, encoding="cp1251"))
    page.set_input_files("input[type=file]", str(path))
    page.click("input[type=submit]")
    page.wait_for_selector("[data-status=done]", timeout=15000)
    assert page.locator(".progress-bar").inner_text().strip() == "100 %"
    assert f"Загружено строк: {len(rows)}" in page.content()
    page.screenshot(path=str(artifact_dir / "assessment_import.png"), full_page=True)
    assert Result.objects.count() == len(rows)

    # The analysis ran after the import: the school's page shows figures, flags and a chart.
    page.goto(f"{live_server.url}/assessment/school/{world.a1_school1.pk}/")
    assert page.locator("svg").count() >= 1
    assert "Отрицательная динамика" in page.content()
    page.screenshot(path=str(artifact_dir / "assessment_school.png"), full_page=True)

    # The municipality's table of schools by index, with the candidate and the spread.
    page.goto(f"{live_server.url}/assessment/?year=2023")
    assert "индекс ≤ 10-го процентиля муниципалитета" in page.content()
    assert page.locator("table").count() >= 3
    page.screenshot(path=str(artifact_dir / "assessment_municipality.png"), full_page=True)
