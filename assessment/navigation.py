from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.navigation import NavItem
from skills.navigation import RESULTS_ITEMS

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

# Task-level results, skills and targeted help (skills app) belong to the results for a reader.
MENU += RESULTS_ITEMS
