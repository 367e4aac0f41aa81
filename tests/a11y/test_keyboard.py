"""Without a mouse: the skip link, a focus order that follows the page, a focus ring that can
be seen (at least 3:1 against what it is drawn on), the navigation's menus, the phone's
folded menu, disclosures and the version for the visually impaired — all by keyboard."""

import pytest

pytestmark = pytest.mark.browser

# The focused element, where it stands in the page, and its focus ring against the colour
# behind the ring (the parent's background: the ring is drawn outside the element, except
# where its offset is negative).
FOCUS_STATE = """async () => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));  // styles settled
  const focused = document.activeElement;
  if (!focused || focused === document.body) return null;
  // A radio drawn as a button (.btn-check) shows its focus on its label.
  const el = focused.classList.contains('btn-check') ? focused.nextElementSibling : focused;
  const lum = (c) => { const m = c.match(/\\d+(\\.\\d+)?/g).map(Number);
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(m[0]) + 0.7152 * f(m[1]) + 0.0722 * f(m[2]); };
  const opaque = (c) => { const m = c.match(/[\\d.]+/g); return m && (m.length < 4 || Number(m[3]) > 0.5); };
  const s = getComputedStyle(el);
  let bgEl = parseFloat(s.outlineOffset) < 0 ? el : el.parentElement;
  let bg = 'rgb(255, 255, 255)';
  for (; bgEl; bgEl = bgEl.parentElement) { const c = getComputedStyle(bgEl).backgroundColor; if (opaque(c)) { bg = c; break; } }
  const a = lum(s.outlineColor), b = lum(bg);
  const r = el.getBoundingClientRect();
  const all = Array.from(document.querySelectorAll('*'));
  return {tag: el.tagName, text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40),
          id: el.id, index: all.indexOf(el), inMain: !!el.closest('main'),
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
          contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
          visible: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0};
}"""


def tab(page, times=1):
    for _ in range(times):
        page.keyboard.press("Tab")
    return page.evaluate(FOCUS_STATE)


def test_skip_link_comes_first_is_seen_and_moves_into_the_content(open_as, demo_site):
    page = open_as("coordinator", 1280)
    page.goto(demo_site.url + "/")
    first = tab(page)
    assert first["text"] == "Перейти к содержанию" and first["visible"]
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert page.evaluate("document.activeElement.id") == "main"
    assert tab(page)["inMain"]


@pytest.mark.parametrize(
    ("role", "path"), [("coordinator", "/"), ("curator", "/curators/visits/new/"), ("school", "/")]
)
def test_focus_follows_the_page_and_its_ring_is_seen(open_as, demo_site, role, path):
    page = open_as(role, 1280)
    page.goto(demo_site.url + path)
    assert page.evaluate("Array.from(document.querySelectorAll('[tabindex]')).every(e => e.tabIndex <= 0)")
    states = [tab(page) for _ in range(30)]
    states = [s for s in states if s]
    assert len(states) == 30
    indexes = [s["index"] for s in states]
    assert indexes == sorted(indexes), "the focus jumps back up the page"
    for s in states:
        assert s["visible"], f"focused but not on screen: {s}"
        assert s["outline"] != "none" and s["width"] >= 2, f"no focus ring: {s}"
        assert s["contrast"] >= 3, f"faint focus ring ({s['contrast']:.2f}:1): {s}"


def test_a_navigation_menu_opens_moves_and_closes_by_keyboard(open_as, demo_site):
    page = open_as("coordinator", 1280)
    page.goto(demo_site.url + "/")
    toggle = page.locator("#mainnav .dropdown-toggle").first
    toggle.focus()
    assert toggle.evaluate("e => e.tagName") == "BUTTON"  # Enter and Space both work on a button
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    menu = page.locator("#mainnav .dropdown-menu.show")
    items = menu.locator(".dropdown-item")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent.trim()") == items.nth(0).inner_text().strip()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent.trim()") == items.nth(1).inner_text().strip()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and menu.count() == 0
    assert page.evaluate("document.activeElement.id") == toggle.get_attribute("id")

    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    target = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(demo_site.url + target)


def test_the_phone_menu_and_a_disclosure_work_by_keyboard(open_as, demo_site):
    page = open_as("school", 375)
    page.goto(demo_site.url + "/")
    page.locator(".navbar-toggler").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#mainnav.show")
    assert page.locator(".navbar-toggler").get_attribute("aria-expanded") == "true"
    state = tab(page)
    assert state["visible"] and page.evaluate("!!document.activeElement.closest('#mainnav')")

    # A <details> disclosure (the report form's «what is still missing»).
    from roadmaps.models import ProgressReport

    report = ProgressReport.objects.filter(roadmap__school__staff__username="school").order_by("pk").first()
    page.goto(demo_site.url + f"/roadmaps/reports/{report.pk}/")
    summary = page.locator("summary").first
    if summary.count():
        summary.focus()
        page.keyboard.press("Enter")
        assert summary.evaluate("e => e.parentElement.open")


def test_the_version_for_the_visually_impaired_is_reached_and_set_by_keyboard(open_as, demo_site):
    page = open_as(None, 1280)
    page.goto(demo_site.url + "/accounts/login/")
    page.locator(".skip-link").focus()  # the sign-in form takes the focus on load
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('vision-toggle')"):
            break
    else:
        pytest.fail("the switch of the version for the visually impaired is not in the tab order")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("html.vision.vision-size-150")
    page.locator(".vision-bar button[name=size][value='200']").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("html.vision-size-200")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == 32
    page.locator(".vision-bar button[name=mode][value=off]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_function("!document.documentElement.classList.contains('vision')")


def test_a_select_that_submits_itself_waits_for_enter_when_changed_by_arrows(open_as, demo_site):
    """The language switch: passing over its options with the arrow keys does not reload the
    page at each one (WCAG 3.2.2); Enter applies the choice."""
    page = open_as(None, 1280)
    page.goto(demo_site.url + "/accounts/login/")
    select = page.locator("#language-select")
    select.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert select.input_value() == "en"
    assert page.evaluate("document.documentElement.lang") == "ru"  # not reloaded yet
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.lang") == "en"
