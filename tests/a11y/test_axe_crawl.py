"""axe-core over every page each demo role reaches by links from its home page, on a desktop
(1280 px) and on a phone (375 px): no serious or critical WCAG 2.1 AA violation; on the phone
no page wider than the screen and no button or field under 44 px.

One test per role and width, so pytest-xdist spreads them over the two processes; the
crawl checks one page of each URL pattern (the demo has many schools, one school card says
what they all say)."""

import json

import pytest

from tests.a11y.conftest import DEMO_ROLES
from tests.a11y.crawl import check_page, crawl

pytestmark = pytest.mark.browser

# Pages each role must reach, so that a crawl that lost its way cannot pass by checking little.
MUST_REACH = {
    "region": {"/", "/schools/", "/assessment/", "/api/"},
    "coordinator": {"/", "/schools/", "/curators/visits/", "/roadmaps/reports/", "/events/participation/", "/api/"},
    "methodist": {"/", "/events/", "/events/participation/", "/events/bank/"},
    "curator": {"/", "/curators/visits/new/", "/curators/visits/"},
    "school": {"/", "/roadmaps/", "/roadmaps/reports/"},
}


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("role", DEMO_ROLES)
def test_pages_a_role_reaches_have_no_serious_violations(open_as, demo_site, axe_source, artifact_dir, role, width):
    page = open_as(role, width)
    report = crawl(page, demo_site.url, axe_source, width)
    if width < 576:
        # The navigation is folded on a phone: open it, and a section's menu, and check them too.
        page.goto(demo_site.url + "/")
        page.click(".navbar-toggler")
        page.wait_for_selector("#mainnav.show")
        page.locator("#mainnav .dropdown-toggle").first.click()
        page.wait_for_selector("#mainnav .dropdown-menu.show")
        check_page(page, axe_source, report, "/ (menu open)", width, context="nav")

    (artifact_dir / f"a11y-{role}-{width}.json").write_text(
        json.dumps(
            {"pages": report.pages, "problems": report.problems, "refused": report.refused},
            ensure_ascii=False,
            indent=1,
        )
    )
    paths = {p.split("?")[0] for p in report.pages}
    assert MUST_REACH[role] <= paths, f"not reached: {MUST_REACH[role] - paths}"
    assert len(report.pages) >= 15
    assert not report.problems, f"{len(report.problems)} problems on {len(report.pages)} pages:\n" + "\n".join(
        report.problems
    )
