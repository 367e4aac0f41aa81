from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

MENU = [NavItem(_("Documents"), "reports:report-list", icon="file-earmark-text")]
