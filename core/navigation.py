"""Navigation assembled from each app's ``navigation.MENU`` so each role sees what it may do.

An app's menu is a list of ``NavItem`` (``roles`` empty means every signed-in user) and an
optional short ``TITLE`` for its dropdown."""

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

from core import policy
from core.dashboard import app_modules


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str = "circle"
    roles: tuple[str, ...] = field(default_factory=tuple)


_urls: dict[tuple, str | None] = {}


def _url(name: str) -> str | None:
    """reverse() of a menu entry, once per process (the URL patterns do not change)."""
    key = (get_urlconf(), get_script_prefix(), name)
    if key not in _urls:
        try:
            _urls[key] = reverse(name)
        except NoReverseMatch:
            _urls[key] = None
    return _urls[key]


class Menu(list):
    """The menu's sections (dicts, as the template reads them) and ``key``: what they were
    made from — the entries' key and which of them is active — for {% menucache %}."""

    key: tuple = ()


# (menu key of the user, language, URL conf, script prefix) → the sections without their
# «active» flags, labels translated: built once per process and key (bounded).
_menus: dict[tuple, tuple] = {}
_MENUS_MAX = 256


def _entries(user) -> tuple:
    """The sections ``user`` may see: ((app label, label, icon, url, ((label, url, icon), …)), …)."""
    sections = []
    for module in app_modules("navigation"):
        items = []
        for item in getattr(module, "MENU", []):
            if not policy.may_see_menu_item(user, item.roles):
                continue
            url = _url(item.url_name)
            if url is None:
                continue
            items.append((str(item.label), url, item.icon))
        if not items:
            continue
        app_label = module.__name__.split(".")[0]
        # The app's short title even for a single item, so the bar fits for every role.
        title = getattr(module, "TITLE", None) or (
            apps.get_app_config(app_label).verbose_name if len(items) > 1 else items[0][0]
        )
        sections.append((app_label, str(title), items[0][2], items[0][1], tuple(items)))
    return tuple(sections)


def menu_for(request) -> list[dict]:
    """One menu entry per app: a plain link where the user has one item there, else a
    dropdown titled with the app's name (so the bar fits on a laptop screen).  Which entries
    a user sees depends only on ``policy.menu_key(user)``: they are worked out once per
    process for each such key and language; the active entry is the request's own."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return []
    key = (policy.menu_key(user), get_language(), get_urlconf(), get_script_prefix())
    entries = _menus.get(key)
    if entries is None or getattr(settings, "OPORA_PREPARED_QUERIES", "on") == "check":
        fresh = _entries(user)
        if entries is not None and entries != fresh:
            raise AssertionError(f"the menu kept under {key!r} is not the user's: policy.menu_key misses an input")
        if len(_menus) >= _MENUS_MAX:
            _menus.clear()
        entries = _menus[key] = fresh
    menu = Menu()
    active = []
    for app_label, title, icon, url, items in entries:
        flags = [request.path.startswith(item_url) for _label, item_url, _icon in items]
        active.append(tuple(flags))
        menu.append(
            {
                "label": title,
                "icon": icon,
                "url": url,
                "items": [
                    {"label": label, "url": item_url, "icon": item_icon, "active": flag}
                    for (label, item_url, item_icon), flag in zip(items, flags, strict=True)
                ],
                "active": any(flags),
                "id": f"nav-{app_label}",
            }
        )
    menu.key = (key, tuple(active))
    return menu
