from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.navigation import NavItem

TITLE = _("Region")

REGIONAL = (Role.REGIONAL_COORDINATOR,)

MENU = [
    NavItem(_("Municipalities compared"), "regional:dashboard", icon="columns-gap", roles=REGIONAL),
    NavItem(_("ШНОР and candidates of the region"), "regional:schools", icon="list-check", roles=REGIONAL),
    NavItem(_("Results by municipality"), "regional:results", icon="bar-chart-steps", roles=REGIONAL),
    NavItem(_("Regional report"), "regional:report", icon="file-earmark-richtext", roles=REGIONAL),
]
