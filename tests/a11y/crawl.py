"""A bounded crawl of the pages a person reaches by links from their home page, with the
checks made on each page: axe-core (WCAG 2.1 AA, serious and critical violations), and on a
phone the page's width and the height of its buttons and fields."""

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

# Not pages of the portal to check: the admin site, the JSON API and its schema viewers
# (Swagger UI and Redoc are third-party pages), downloads (files, exports, documents,
# calendars), the language switch and signing out.
SKIP = re.compile(
    r"^/(admin|api/v1|files|static|media|i18n)/"
    r"|[?&](export|format)="
    r"|/(pdf|docx|ics|xlsx|export|download|feed|template)(/|$)"
    r"|\.(pdf|docx|xlsx|ics|csv|zip)$"
    r"|/logout/"
)
MAX_PAGES = 150
SERIOUS = ("serious", "critical")
MIN_TARGET_PX = 44

AXE_RUN = """async (context) => {
  const result = await axe.run(context || document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('').trim())}));
}"""

# Buttons and fields a thumb must hit on a phone: at least 44 px tall (WCAG 2.5.5).
SMALL_TARGETS = """(min) => Array.from(document.querySelectorAll(
    'main .btn, main button, main input[type=submit], main .form-control, main .form-select, nav .btn, nav .navbar-toggler'))
  .filter(el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
                  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && el.type !== 'hidden'
                         && !el.closest('.visually-hidden, [hidden], template'); })
  .filter(el => el.getBoundingClientRect().height < min - 0.5)
  .slice(0, 5)
  .map(el => (el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + Array.from(el.classList).join('.'))
             + ' «' + (el.innerText || el.value || el.name || '').trim().slice(0, 30) + '» '
             + Math.round(el.getBoundingClientRect().height) + ' px')"""


SMALL_BADGES = """() => Array.from(document.querySelectorAll('.badge'))
  .filter(e => e.getClientRects().length && parseFloat(getComputedStyle(e).fontSize) < 12)
  .slice(0, 3).map(e => '«' + e.textContent.trim().slice(0, 20) + '» ' + getComputedStyle(e).fontSize)"""
DUPLICATE_IDS = """() => { const seen = {};
  document.querySelectorAll('[id]').forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
  return Object.keys(seen).filter(k => seen[k] > 1).slice(0, 5); }"""


def page_key(path: str) -> str | None:
    """The kind of page a path shows (one page of each kind is checked): its URL pattern, or
    its form where the view declares one (a record's «new» and «edit» pages are one form);
    None for a path that is not the portal's."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", None)
    form = getattr(view, "form_class", None)
    if form is not None and getattr(view, "template_name", None) in (None, "core/object_form.html"):
        return f"form:{form.__module__}.{form.__qualname__}"
    return match.route


@dataclass
class CrawlReport:
    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # links answered 4xx: the link crawler's matter (tests/…)

    def add(self, path: str, what: str) -> None:
        self.problems.append(f"{path}: {what}")


def check_page(page, axe_source: str, report: CrawlReport, path: str, width: int, context=None) -> None:
    """axe-core's serious and critical violations of the page (or of ``context``, a CSS
    selector), and on a phone its width and small targets, into ``report``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    for v in page.evaluate(AXE_RUN, context):
        report.add(path, f"axe {v['impact']} {v['id']} ({v['help']}): " + "; ".join(v["nodes"]))
    # axe-core no longer reports duplicate ids (WCAG 2.2 dropped 4.1.1), but a label or an
    # aria-describedby pointing at two elements still reads the wrong one.
    duplicates = page.evaluate(DUPLICATE_IDS)
    if duplicates and context is None:
        report.add(path, "duplicate ids: " + ", ".join(duplicates))
    small_text = page.evaluate(SMALL_BADGES)
    if small_text:
        report.add(path, "badges under 12 px: " + ", ".join(small_text))
    if width < 576:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            report.add(path, f"the page is {scroll_width} px wide in a {width} px viewport")
        small = page.evaluate(SMALL_TARGETS, MIN_TARGET_PX)
        if small:
            report.add(path, "targets under 44 px: " + ", ".join(small))


def crawl(page, base_url: str, axe_source: str, width: int, start: str = "/") -> CrawlReport:
    """Breadth-first from ``start`` over same-site links, one page per URL pattern."""
    report = CrawlReport()
    seen: set[str] = set()
    queue = [start]
    while queue and len(report.pages) < MAX_PAGES:
        path = queue.pop(0)
        key = page_key(path)
        if key is None or key in seen:
            continue
        seen.add(key)
        try:
            response = page.goto(base_url + path, wait_until="domcontentloaded")
        except Exception as exc:  # a download that SKIP did not foresee
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None:
            continue
        if response.status >= 500:
            report.add(path, f"HTTP {response.status}")
            continue
        if response.status >= 400:
            # A link the reader may not follow is a dead end, which the per-role link
            # crawler of the test client reports; here there is no page to check.
            report.refused.append(f"{path}: HTTP {response.status}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        report.pages.append(path)
        check_page(page, axe_source, report, path, width)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            if href.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            url = urlsplit(urljoin(base_url + path, href))
            if url.netloc != urlsplit(base_url).netloc:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if SKIP.search(target):
                continue
            target_key = page_key(target)
            if target_key is not None and target_key not in seen:
                queue.append(target)
    return report
