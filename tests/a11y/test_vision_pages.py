"""The version for the visually impaired in the browser: each scheme, size, spacing and the
images switch as they show on the pages people use most, on a desktop and on a phone —
checked by axe-core, by the page's width and by the computed styles, and screenshotted."""

import pytest

from tests.a11y.crawl import CrawlReport, check_page

pytestmark = pytest.mark.browser

PAGES = {
    "coordinator": ["/", "/schools/", "/events/participation/", "/roadmaps/reports/"],
    "curator": ["/", "/curators/visits/new/"],
    "school": ["/", "/roadmaps/"],
}

STYLES = """() => {
  const html = getComputedStyle(document.documentElement), body = getComputedStyle(document.body);
  const icon = document.querySelector('main .bi, nav .bi');
  return {root: parseFloat(html.fontSize), color: body.color, background: body.backgroundColor,
          spacing: body.letterSpacing, icons: icon ? getComputedStyle(icon).display : null,
          charts: Array.from(document.querySelectorAll('svg.opora-chart')).map(s => getComputedStyle(s).display)};
}"""


@pytest.mark.parametrize(
    ("token", "width", "expected"),
    [
        ("150-bw-img-normal", 1280, {"root": 24, "color": "rgb(0, 0, 0)", "background": "rgb(255, 255, 255)"}),
        ("200-wb-noimg-wide", 375, {"root": 32, "color": "rgb(255, 255, 255)", "background": "rgb(0, 0, 0)"}),
        ("150-wb-img-medium", 1280, {"root": 24, "color": "rgb(255, 255, 255)", "background": "rgb(0, 0, 0)"}),
        ("200-bw-noimg-wide", 375, {"root": 32, "color": "rgb(0, 0, 0)", "background": "rgb(255, 255, 255)"}),
    ],
)
@pytest.mark.parametrize("role", sorted(PAGES))
def test_each_scheme_reads_well_on_the_main_pages(
    open_as, demo_site, axe_source, artifact_dir, role, token, width, expected
):
    page = open_as(role, width)
    page.context.add_cookies([{"name": "opora_vision", "value": token, "url": demo_site.url}])
    report = CrawlReport()
    for n, path in enumerate(PAGES[role]):
        page.goto(demo_site.url + path)
        assert page.locator(".vision-bar").count() == 1
        styles = page.evaluate(STYLES)
        assert {k: styles[k] for k in expected} == expected
        size = int(token.split("-")[0])
        spacing = {
            "normal": "normal",
            "medium": f"{0.06 * 16 * size / 100:.2f}px",
            "wide": f"{0.12 * 16 * size / 100:.2f}px",
        }
        assert styles["spacing"] == spacing[token.split("-")[3]].replace(".00px", "px")
        if "noimg" in token:
            assert styles["icons"] in (None, "none")
        assert all(d != "none" for d in styles["charts"])  # charts are data, not decoration
        check_page(page, axe_source, report, path, width)
        page.screenshot(path=str(artifact_dir / f"vision-{token}-{width}-{role}-{n}.png"), full_page=True)
    assert not report.problems, "\n".join(report.problems)
