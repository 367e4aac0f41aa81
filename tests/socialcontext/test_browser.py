"""The coordinator's journey in Chromium: import a context file (preview, confirm), read the
chart (a dot is a link to its school, reachable by the keyboard), form a suggested pair in one
click; on a 375 px phone the chart scrolls sideways instead of shrinking."""

import pytest

from tests.socialcontext.conftest import YEAR, to_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_read_the_chart_and_form_a_pair(world, fitted, browser_login, live_server, artifact_dir, tmp_path):
    from curators.models import PartnerPair
    from schools.models import Order
    from socialcontext.models import SchoolContext

    Order.objects.create(
        municipality=world.a1, region=world.region_a, number="12", date="2024-09-01", issuer="УО", title="О парах"
    )
    page = browser_login(world.coordinator)

    # 1. Import: K03's higher education share 30 → 33; the preview shows it before anything changes.
    path = tmp_path / "контекст.csv"
    path.write_bytes(to_csv([["K03", "2023/2024", 500, 33, 70, 35, "", ""]], encoding="cp1251"))
    page.goto(f"{live_server.url}/socialcontext/imports/new/")
    page.set_input_files("input[type=file]", str(path))
    page.click("input[type=submit]")
    page.wait_for_selector('[data-testid="preview"]')
    assert "заменит" in page.content() and "было 30,0" in page.content()
    assert SchoolContext.objects.get(school=fitted["K03"]).higher_education == 30.0
    page.screenshot(path=str(artifact_dir / "context_import_preview.png"), full_page=True)
    page.click('[data-testid="import-apply"]')
    page.wait_for_selector("[data-status=done]")
    assert SchoolContext.objects.get(school=fitted["K03"]).higher_education == 33.0

    # 2. The chart: a dot is a link to its school's card, focusable by the keyboard.
    page.goto(f"{live_server.url}/socialcontext/?year={YEAR}&municipality={world.a1.pk}")
    dots = page.locator('[data-testid="context-chart"] svg a')
    assert dots.count() == 10
    page.screenshot(path=str(artifact_dir / "context_results.png"), full_page=True)
    dots.first.focus()
    assert page.evaluate("document.activeElement.tagName.toLowerCase()") == "a"
    label = dots.first.get_attribute("aria-label")
    dots.first.click()
    page.wait_for_url("**/schools/*/")
    assert label.split(";")[0] in page.content()
    assert "Социальный контекст школы" in page.content()

    # 3. One click forms the suggested pair (the pair year and the order are preselected).
    page.goto(f"{live_server.url}/curators/pairs/")
    page.locator("form[data-testid=suggestions-form] button[type=submit]").first.click()
    page.wait_for_selector(".alert-success")
    assert "образована" in page.content()
    page.screenshot(path=str(artifact_dir / "context_pairs.png"), full_page=True)
    pair = PartnerPair.objects.get()
    assert (pair.school.code, pair.leader.code) == ("K01", "K02")


def test_phone_chart_and_suggestions_scroll_sideways(world, fitted, browser_login, live_server, artifact_dir, page):
    page.set_viewport_size({"width": 375, "height": 800})
    browser_login(world.coordinator)
    page.goto(f"{live_server.url}/socialcontext/?year={YEAR}&municipality={world.a1.pk}")
    box = page.locator('[data-testid="context-chart"] svg').bounding_box()
    assert box["width"] >= 520  # drawn at reading size; its container scrolls
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1  # the page itself does not
    page.screenshot(path=str(artifact_dir / "context_results_375.png"), full_page=True)
    # The suggestions beside the pairs: their table scrolls, the page does not.
    page.goto(f"{live_server.url}/curators/pairs/")
    assert page.locator("#h-suggestions").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    page.screenshot(path=str(artifact_dir / "context_pairs_375.png"), full_page=True)
