"""Pages made of parts that each app offers, so an app extends a shared page without
touching another app:

- ``<app>/dashboard.py``: ``panels(user)`` → the home page's panels ("what needs me today?");
  ``school_sections(user, school)`` → sections of the school card;
- ``<app>/documents.py``: ``school_report_sections(school, year)`` and
  ``municipal_report_sections(municipality, year)`` → sections of the PDF reports.

Each hook returns a list of ``Panel``; the pages only arrange them."""

from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
    width: str = "col-lg-6"


def app_modules(module: str):
    """Yield ``<app>.<module>`` for every Opora app that has it."""
    for app in settings.OPORA_APPS:
        if find_spec(f"{app}.{module}") is not None:
            yield import_module(f"{app}.{module}")


def collect(module: str, hook: str, *args) -> list[Panel]:
    result: list[Panel] = []
    for mod in app_modules(module):
        func = getattr(mod, hook, None)
        if func:
            result.extend(func(*args))
    return sorted(result, key=lambda p: p.order)


def panels_for(user) -> list[Panel]:
    return collect("dashboard", "panels", user)


def school_sections(user, school) -> list[Panel]:
    return collect("dashboard", "school_sections", user, school)
