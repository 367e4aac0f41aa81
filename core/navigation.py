"""Navigation assembled from each app's ``navigation.MENU`` so each role sees what it may do.

An app's menu is a list of ``NavItem`` (``roles`` empty means every signed-in user) and an
optional short ``TITLE`` for its dropdown."""

from dataclasses import dataclass, field

from django.apps import apps
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

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


def menu_for(request) -> list[dict]:
    """One menu entry per app: a plain link where the user has one item there, else a
    dropdown titled with the app's name (so the bar fits on a laptop screen)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return []
    sections = []
    for module in app_modules("navigation"):
        items = []
        for item in getattr(module, "MENU", []):
            if not policy.may_see_menu_item(user, item.roles):
                continue
            url = _url(item.url_name)
            if url is None:
                continue
            items.append({"label": item.label, "url": url, "icon": item.icon, "active": request.path.startswith(url)})
        if not items:
            continue
        app_label = module.__name__.split(".")[0]
        sections.append(
            {
                # The app's short title even for a single item, so the bar fits for every role.
                "label": getattr(module, "TITLE", None)
                or (apps.get_app_config(app_label).verbose_name if len(items) > 1 else items[0]["label"]),
                "icon": items[0]["icon"],
                "url": items[0]["url"],
                "items": items,
                "active": any(i["active"] for i in items),
                "id": f"nav-{app_label}",
            }
        )
    return sections
