from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.navigation import NavItem

# The approval queue is reached from the coordinator's home panel and the monitoring page.
TITLE = _("Roadmaps")

MENU = [
    NavItem(_("Roadmaps"), "roadmaps:roadmap-list", icon="signpost-split"),
    NavItem(_("Progress reports"), "roadmaps:report-list", icon="clipboard-check"),
    NavItem(
        _("Roadmap monitoring"),
        "roadmaps:monitoring",
        icon="graph-up",
        roles=(Role.REGIONAL_COORDINATOR, Role.MUNICIPAL_COORDINATOR, Role.METHODIST, Role.CURATOR),
    ),
    NavItem(_("School documents"), "roadmaps:document-list", icon="file-earmark-text"),
]
