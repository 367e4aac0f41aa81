"""A coordinator creates a school through the form in a real browser and finds it in the list."""

import pytest

from schools.models import School

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_creates_school_and_sees_it_in_list(world, browser_login, live_server, artifact_dir):
    page = browser_login(world.coordinator)
    page.goto(f"{live_server.url}/schools/new/")
    page.select_option("#id_municipality", str(world.a1.pk))
    page.fill("#id_code", "BR-001")
    page.fill("#id_name", "Муниципальное автономное общеобразовательное учреждение «Средняя школа № 99»")
    page.fill("#id_short_name", "СШ № 99")
    page.fill("#id_students_count", "512")
    page.click("input[type=submit], button[type=submit]:has-text('Сохранить')")
    page.wait_for_url(f"{live_server.url}/schools/*/")
    assert School.objects.get(code="BR-001").students_count == 512

    page.goto(f"{live_server.url}/schools/?q=BR-001")  # found by its code (the xlsx has the code column)
    row = page.locator("table tbody tr", has_text="СШ № 99")
    assert row.count() == 1
    page.screenshot(path=str(artifact_dir / "foundation-school-list.png"), full_page=True)
