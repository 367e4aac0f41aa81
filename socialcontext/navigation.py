from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.navigation import NavItem

OVERSEERS = (Role.REGIONAL_COORDINATOR, Role.MUNICIPAL_COORDINATOR, Role.METHODIST)

TITLE = _("Context")

MENU = [
    NavItem(_("Results against context"), "socialcontext:results", icon="diagram-3", roles=OVERSEERS),
    NavItem(_("Context data"), "socialcontext:data-list", icon="people", roles=OVERSEERS),
    NavItem(_("Partner suggestions"), "socialcontext:suggestion-list", icon="link", roles=OVERSEERS),
    NavItem(
        _("Context imports"),
        "socialcontext:import-list",
        icon="cloud-upload",
        roles=(Role.REGIONAL_COORDINATOR, Role.MUNICIPAL_COORDINATOR),
    ),
]
