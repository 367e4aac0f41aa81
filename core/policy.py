"""The ground floor's door to the portal's policy module.

core is the floor every app stands on, so it imports none of them.  What it needs to know
about scope — restrict a queryset, may this user do that to this object, is the record
frozen, what a user's scope rests on for the cache — it asks the module named by the
``OPORA_POLICY`` setting (like ``AUTH_USER_MODEL``: ``"accounts.scoping"``), resolved on
first use.  ``tests/test_policy_structure.py`` checks that core imports no domain app.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from types import ModuleType

from django.conf import settings

# The actions every policy answers (accounts.scoping names the same three).
VIEW, EDIT, MANAGE = "view", "edit", "manage"


@cache
def policy() -> ModuleType:
    """The policy module (``settings.OPORA_POLICY``), imported once."""
    return import_module(settings.OPORA_POLICY)


def restrict(queryset, user, action: str = VIEW):
    """The rows of ``queryset`` that ``user`` may ``action`` (out of scope: absent)."""
    return policy().restrict(queryset, user, action)


def can(user, action: str, obj) -> bool:
    return policy().can(user, action, obj)


def frozen_reason(obj) -> str | None:
    return policy().frozen_reason(obj)


def require_change(user, obj, action: str = EDIT) -> None:
    policy().require_change(user, obj, action)


def require_delete(user, obj, action: str = EDIT) -> None:
    policy().require_delete(user, obj, action)


def has_school_scope(user, action: str = VIEW) -> bool:
    """Whether ``user`` may ``action`` at least one school (a list's «add» button)."""
    return policy().has_school_scope(user, action)


def works_in_one_municipality(user) -> bool:
    """Whether ``user``'s work lies within one municipality (a list drops that column)."""
    return policy().works_in_one_municipality(user)


def scope_key(user) -> str:
    """What decides which data ``user`` sees, as a cache key part."""
    return policy().scope_key(user)


def scope_reach(user) -> tuple:
    """What ``user``'s view scope rests on, for the cache's generations (see the policy)."""
    return policy().scope_reach(user)


def school_places(ids) -> dict[int, tuple[int, int]]:
    """School id → (municipality id, region id) of the schools that exist."""
    return policy().school_places(ids)


def municipality_regions(ids) -> dict[int, int]:
    """Municipality id → region id of the municipalities that exist."""
    return policy().municipality_regions(ids)


def curated_municipality_ids(user) -> list[int]:
    """The municipalities of the schools ``user`` is the curator of this year."""
    return policy().curated_municipality_ids(user)


def may_confirm_import(user, batch) -> bool:
    return policy().may_confirm_import(user, batch)


def may_download_file(user, name: str) -> bool:
    return policy().may_download_file(user, name)


def may_see_menu_item(user, roles) -> bool:
    return policy().may_see_menu_item(user, roles)


def menu_key(user) -> tuple:
    """What the menu's entries depend on of ``user`` (see ``may_see_menu_item``)."""
    return policy().menu_key(user)


def predicate(name: str):
    """The policy's named predicate ``may_<name>`` (templates ask it), or None."""
    return getattr(policy(), f"may_{name}", None)
