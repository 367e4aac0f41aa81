"""No dead ends (issue 15.2): as each demo role, follow every link from the home page and
expect no 4xx or 5xx.  Django's test client, breadth first, every distinct URL once, bounded
so that it stays quick:

- at most ``PATHS_PER_ROUTE`` pages of one URL pattern are fetched (objects of one kind) and
  ``VARIANTS_PER_QUERY`` of one pattern with the same query parameters (sort, page, filter),
  ``QUERIES_PER_ROUTE`` sets of query parameters in all;
- every other link to an object page is still checked, without rendering: a page of the
  portal's scoped views (core.generic.ScopedMixin) answers 404 exactly when its object is
  not in the view's restricted queryset, so that is asked instead;
- a file (a PDF, an .ics, a spreadsheet) is fetched once per URL pattern: its other links are
  checked as above;
- ``?export=`` links are left to the test over every export (tests/demo/exports.py).

The browser crawl with axe-core is another test."""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import parse_qsl, urlsplit

from django.urls import Resolver404, resolve

HREF = re.compile(r'href="([^"#]*)"')
PATHS_PER_ROUTE = 4
VARIANTS_PER_QUERY = 1
QUERIES_PER_ROUTE = 4  # distinct sets of query parameters of one page (sort, filters, paging)
# Not pages: static files, the admin's own site, the language switch, the API's schema.
NOT_PAGES = ("/static/", "/admin/", "/i18n/", "/api/v1/schema")


def route_of(url: str) -> tuple[str, tuple]:
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = f"unresolved:{parts.path}"
    return name, tuple(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}))


def links(html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        href = href.replace("&amp;", "&")
        if href.startswith("?"):
            continue  # resolved against its page below
        if not href.startswith("/") or href.startswith("//") or href.startswith(NOT_PAGES):
            continue
        found.append(href)
    return found


def object_absent(url: str, user) -> bool | None:
    """Without rendering: whether the scoped view behind ``url`` would answer 404 (its object
    is not in its restricted queryset); None where the view is not one of those."""
    from django.test import RequestFactory

    from core.generic import ScopedMixin

    match = resolve(urlsplit(url).path)
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, ScopedMixin) or "pk" not in match.kwargs:
        return None
    request = RequestFactory().get(url)
    request.user = user
    view = view_class()
    view.setup(request, *match.args, **match.kwargs)
    return not view.get_queryset().filter(pk=match.kwargs["pk"]).exists()


def crawl(client, user, start: str = "/", limit: int = 2000) -> tuple[list[tuple[int, str, str]], int, int]:
    """(status, url, the page that linked it) of every link that answered 4xx/5xx, the number
    of pages fetched and the number of links checked without fetching."""
    seen = {start}
    queue = deque([(start, "")])
    counts: Counter = Counter()
    queries: Counter = Counter()
    files: set[str] = set()  # URL patterns that answer with a file, not a page
    problems = []
    fetched = checked = 0
    while queue and fetched < limit:
        url, parent = queue.popleft()
        name, keys = route_of(url)
        if "export" in keys:
            continue
        counts[(name, keys)] += 1
        if keys and counts[(name, keys)] == 1:
            queries[name] += 1
        if (
            name in files
            or counts[(name, keys)] > (VARIANTS_PER_QUERY if keys else PATHS_PER_ROUTE)
            or queries[name] > QUERIES_PER_ROUTE
        ):
            absent = None if keys else object_absent(url, user)
            checked += absent is not None
            if absent:
                problems.append((404, url, parent))
            continue
        fetched += 1
        response = client.get(url)
        if response.status_code >= 400:
            problems.append((response.status_code, url, parent))
            continue
        if response.status_code >= 300:
            continue
        if response.streaming or "text/html" not in response.get("Content-Type", ""):
            files.add(name)
            continue
        html = response.content.decode("utf-8", errors="replace")
        base = urlsplit(url).path
        for href in links(html) + [base + h.replace("&amp;", "&") for h in HREF.findall(html) if h.startswith("?")]:
            if href not in seen:
                seen.add(href)
                queue.append((href, url))
    return problems, fetched, checked


class CrawlChecks:
    """Mixed into the demo test case (tests/test_demo_portal.py): one test per demo role."""

    def assert_no_dead_ends(self, username: str, at_least: int):
        from accounts.models import User

        user = User.objects.get(username=username)
        self.client.force_login(user)
        problems, fetched, checked = crawl(self.client, user)
        self.assertGreaterEqual(fetched + checked, at_least, "the crawl reached far enough")
        self.assertEqual(problems, [], "\n".join(f"{s} {u}  ← {p}" for s, u, p in problems[:40]))

    def test_no_dead_ends_coordinator(self):
        self.assert_no_dead_ends("coordinator", 150)

    def test_no_dead_ends_coordinator_smolensk(self):
        self.assert_no_dead_ends("coordinator_smolensk", 100)

    def test_no_dead_ends_coordinator_gelendzhik(self):
        self.assert_no_dead_ends("coordinator_gelendzhik", 80)

    def test_no_dead_ends_region(self):
        self.assert_no_dead_ends("region", 100)

    def test_no_dead_ends_methodist(self):
        self.assert_no_dead_ends("methodist", 100)

    def test_no_dead_ends_curator(self):
        self.assert_no_dead_ends("curator", 60)

    def test_no_dead_ends_school_admin(self):
        self.assert_no_dead_ends("school", 60)

    def test_no_dead_ends_superuser(self):
        self.assert_no_dead_ends("admin", 100)
