"""Navigation assembled from each app's ``navigation.MENU`` so each role sees what it may do.

An app's menu is a list of ``NavItem``; ``roles`` empty means every signed-in user."""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from core.dashboard import app_modules


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str = "circle"
    roles: tuple[str, ...] = field(default_factory=tuple)
    group: str = ""


def _app_menus():
    for module in app_modules("navigation"):
        yield from getattr(module, "MENU", [])


def menu_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return []
    items = []
    for item in _app_menus():
        if item.roles and not user.is_superuser and user.role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = request.path.startswith(url)
        items.append({"label": item.label, "url": url, "icon": item.icon, "group": item.group, "active": active})
    return items
