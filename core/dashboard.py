"""Pages made of parts that each app offers, so an app extends a shared page without
touching another app:

- ``<app>/dashboard.py``: ``panels(user)`` → the home page's panels ("what needs me today?");
  ``school_sections(user, school)`` → sections of the school card;
- ``<app>/documents.py``: ``school_report_sections(school, year)`` and
  ``municipal_report_sections(municipality, year)`` → sections of the PDF reports.

Each hook returns a list of ``Panel``; the pages only arrange them.

The home page's panels and the school card's sections are cached rendered (core/cache.py:
keyed by the data generation, the user's scope, the date and the language; the card by
its view, with the card's other figures).  A panel
template gets only its ``ctx`` — never the request or the user — so what it shows is the
same for everyone of that scope; a panel that needs the request (a form with a CSRF
token) says ``cacheable=False`` and is rendered on every request."""

from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core import cache as portal_cache
from core import policy


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
    width: str = "col-lg-6"
    cacheable: bool = True
    html: str | None = None  # the rendered panel (what the cache holds)


def app_modules(module: str):
    """Yield ``<app>.<module>`` for every Opora app that has it (looked up once per process
    and list of apps: ``find_spec`` of a module that does not exist searches the disk)."""
    yield from _app_modules(tuple(settings.OPORA_APPS), module)


@cache
def _app_modules(apps: tuple[str, ...], module: str) -> tuple:
    return tuple(import_module(f"{app}.{module}") for app in apps if find_spec(f"{app}.{module}") is not None)


# The figures read while one page's panels are collected (``page_figure``).
_page_figures: ContextVar[dict | None] = ContextVar("opora_page_figures", default=None)


def page_figure(key: tuple, compute):
    """``compute()`` once for the page whose panels are being collected: two panels showing
    the same figure (the home's ШНОР count: the schools panel's and the events panel's)
    read it once.  ``key`` names the figure and all it depends on; outside ``collect`` (a
    document, an API answer) it is computed every time."""
    memo = _page_figures.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def collect(module: str, hook: str, *args) -> list[Panel]:
    result: list[Panel] = []
    token = _page_figures.set({})
    try:
        for mod in app_modules(module):
            func = getattr(mod, hook, None)
            if func:
                result.extend(func(*args))
    finally:
        _page_figures.reset(token)
    return sorted(result, key=lambda p: p.order)


def can_see(user, action: str, school) -> bool:
    """``policy.can`` for the sections of one school card: asked once per action and card
    (the answer is kept on the school object the card was built for), its ``EXISTS``
    prepared per scope and action with the school's id as argument (core/compiled.py)."""
    from core.compiled import prepared_exists

    memo = school.__dict__.setdefault("_opora_can", {})
    key = (user.pk, action)
    if key not in memo:
        model = type(school)
        memo[key] = prepared_exists(
            ("card.can", model._meta.label, policy.scope_key(user), action),
            lambda pk: policy.restrict(model._default_manager.filter(pk=pk), user, action),
            school.pk,
        )
    return memo[key]


def rendered(panels: list[Panel]) -> list[Panel]:
    """Render the cacheable panels to HTML and drop their context (what gets cached)."""
    result = []
    for p in panels:
        if p.cacheable and p.html is None:
            html = mark_safe(render_to_string(p.template, {"ctx": p.context}))
            p = Panel(p.template, {}, p.order, p.width, True, html)
        result.append(p)
    return result


def panels_for(user, request=None) -> list[Panel]:
    key = portal_cache.fragment_key("home", user, request=request)
    return portal_cache.cached(key, lambda: rendered(collect("dashboard", "panels", user)))


def school_sections(user, school) -> list[Panel]:
    """The school card's sections, rendered (the card view caches them with the rest of
    the card: schools.views.SchoolDetailView)."""
    return rendered(collect("dashboard", "school_sections", user, school))
