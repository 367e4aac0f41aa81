from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

MENU = [NavItem(_("Schools"), "schools:school-list", icon="building")]
