from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

TITLE = _("Schools")

MENU = [NavItem(_("Schools"), "schools:school-list", icon="building")]

# Programme side (issue 3).
from accounts.models import Role  # noqa: E402

MENU += [
    NavItem(_("Orders"), "schools:order-list", icon="file-earmark-text"),
    NavItem(_("Statuses"), "schools:status-list", icon="bookmark-star"),
    NavItem(_("Programmes"), "schools:programme-list", icon="diagram-3"),
    NavItem(_("Document requisites"), "schools:requisites", icon="vector-pen", roles=(Role.MUNICIPAL_COORDINATOR,)),
    NavItem(
        _("Risk heat-map"),
        "schools:risk-heatmap",
        icon="grid-3x3",
        roles=(Role.REGIONAL_COORDINATOR, Role.MUNICIPAL_COORDINATOR, Role.METHODIST, Role.CURATOR),
    ),
]
