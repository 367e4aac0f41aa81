from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.navigation import NavItem

TITLE = _("Results")

MENU = [
    NavItem(_("Assessment results"), "assessment:municipality", icon="bar-chart-line"),
    NavItem(
        _("Results imports"),
        "assessment:import-list",
        icon="cloud-upload",
        roles=(Role.REGIONAL_COORDINATOR, Role.MUNICIPAL_COORDINATOR),
    ),
]
