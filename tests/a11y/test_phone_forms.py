"""The curator's visit form and the school's progress-report form on a 375 px phone: nothing
overlaps, fields take the width, the quick ratings and the save buttons are thumb-sized and
the save button stays in reach.  Screenshots land in test-artifacts/ to be looked at."""

import pytest

pytestmark = pytest.mark.browser

# Captions (labels, legends) and controls of the form that overlap another one.
OVERLAPS = """(selector) => {
  const els = Array.from(document.querySelectorAll(selector)).filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && !e.closest('template, .d-none'); });
  const boxes = els.map(e => [e, e.getBoundingClientRect()]);
  const out = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, ra] = boxes[i], [b, rb] = boxes[j];
    if (a.contains(b) || b.contains(a)) continue;
    const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (x > 1 && y > 1) out.push((a.textContent || a.name || a.id).trim().slice(0, 30) + ' / ' + (b.textContent || b.name || b.id).trim().slice(0, 30));
  }
  return out.slice(0, 5);
}"""
PARTS = "main form label, main form legend, main form input:not([type=hidden]):not(.btn-check), main form select, main form textarea"


def heights(page, selector):
    return [round(box["height"]) for box in (el.bounding_box() for el in page.locator(selector).all()) if box]


def test_the_visit_form_is_comfortable_on_a_phone(open_as, demo_site, artifact_dir):
    from accounts.models import User
    from curators.models import CuratorAssignment

    curator = User.objects.get(username="curator")
    school = CuratorAssignment.objects.current().filter(curator=curator).order_by("school__sort_name").first().school
    page = open_as("curator", 375, 740)
    page.goto(f"{demo_site.url}/curators/visits/new/?school={school.pk}")
    page.screenshot(path=str(artifact_dir / "phone-visit-form-375.png"), full_page=True)

    assert page.evaluate(OVERLAPS, PARTS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for field in ("#id_findings", "#id_participants", "#id_lessons-0-teacher", "#id_recs-0-text"):
        assert page.locator(field).bounding_box()["width"] >= 375 - 80, f"{field} does not take the width"
    # Quick ratings: three rows of four buttons, a tap each, under their own captions.
    ratings = page.locator("[data-formset-list] .rating-group").all()[:3]
    assert len(ratings) == 3
    tops = [group.bounding_box()["y"] for group in ratings]
    assert tops == sorted(tops) and len(set(tops)) == 3  # one under another, not side by side
    for group in ratings:
        buttons = [label.bounding_box() for label in group.locator("label.btn").all()]
        assert [b["height"] >= 44 for b in buttons] == [True] * 4
        assert all(b["width"] >= 44 for b in buttons)
    page.click("label[for=id_lessons-0-rating_methods_2]")
    assert page.is_checked("#id_lessons-0-rating_methods_2")

    # The save button is in reach wherever the curator is in the form.
    save = page.get_by_role("button", name="Сохранить визит")
    assert save.bounding_box()["height"] >= 44
    page.locator("#id_recs-0-text").scroll_into_view_if_needed()
    page.mouse.wheel(0, -600)
    box = save.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 740
    page.screenshot(path=str(artifact_dir / "phone-visit-form-375-scrolled.png"))

    # «Log a visit» on the curator's home is a real button, not a 21 px link.
    page.goto(demo_site.url + "/")
    assert (
        heights(page, "a.btn:has-text('Записать визит')")
        and min(heights(page, "a.btn:has-text('Записать визит')")) >= 44
    )
    assert page.locator("#panel-my-schools").count() == 1
    page.screenshot(path=str(artifact_dir / "phone-curator-home-375.png"), full_page=True)


def test_the_progress_report_form_is_comfortable_on_a_phone(open_as, demo_site, artifact_dir):
    from roadmaps.models import ProgressReport

    report = (
        ProgressReport.objects.filter(roadmap__school__staff__username="school", status__in=["draft", "returned"])
        .order_by("pk")
        .first()
    )
    page = open_as("school", 375, 740)
    page.goto(f"{demo_site.url}/roadmaps/reports/{report.pk}/edit/")
    page.screenshot(path=str(artifact_dir / "phone-report-form-375.png"), full_page=True)
    assert page.evaluate(OVERLAPS, PARTS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for field in page.locator("#report-form select, #report-form textarea, #report-form input[type=url]").all()[:6]:
        assert field.bounding_box()["width"] >= 375 - 90
        assert field.bounding_box()["height"] >= 44
    assert min(heights(page, "#report-form button[type=submit]")) >= 44

    # Its page for reading (and the curator's review) turns the plan-and-actuals table and
    # the history into cards instead of a page wider than the phone.
    page.goto(f"{demo_site.url}/roadmaps/reports/{report.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator("table.table-cards").count() == 2
    assert page.evaluate("getComputedStyle(document.querySelector('table.table-cards tbody tr')).display") == "block"
    page.screenshot(path=str(artifact_dir / "phone-report-detail-375.png"), full_page=True)
