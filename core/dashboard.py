"""Pages made of panels that each app offers in ``<app>/dashboard.py``:

- ``panels(user)`` → the home page's panels ("what needs me today?");
- ``school_sections(user, school)`` → sections of the school card.

Each returns a list of ``Panel``; the page views only arrange them, so an app extends the
home page and the school card without touching another app."""

from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
    width: str = "col-lg-6"


def _collect(hook: str, *args) -> list[Panel]:
    result: list[Panel] = []
    for app in settings.OPORA_APPS:
        try:
            module = import_module(f"{app}.dashboard")
        except ModuleNotFoundError:
            continue
        func = getattr(module, hook, None)
        if func:
            result.extend(func(*args))
    return sorted(result, key=lambda p: p.order)


def panels_for(user) -> list[Panel]:
    return _collect("panels", user)


def school_sections(user, school) -> list[Panel]:
    return _collect("school_sections", user, school)
