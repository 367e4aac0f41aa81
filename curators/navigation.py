from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.navigation import NavItem

COORDINATORS = (Role.REGIONAL_COORDINATOR, Role.MUNICIPAL_COORDINATOR)

TITLE = _("Curators")

MENU = [
    NavItem(_("Curators"), "curators:assignment-list", icon="person-badge"),
    NavItem(_("Partner pairs"), "curators:pair-list", icon="link-45deg", roles=(*COORDINATORS, Role.METHODIST)),
    NavItem(_("Visits"), "curators:visit-list", icon="clipboard-check"),
    NavItem(_("Recommendations"), "curators:recommendation-list", icon="list-task"),
    NavItem(_("Visit planner"), "curators:planner", icon="calendar-week", roles=(*COORDINATORS, Role.METHODIST)),
]
