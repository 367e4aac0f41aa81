from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.navigation import NavItem

TITLE = _("Events")

MENU = [
    NavItem(_("Events"), "events:event-list", icon="calendar-event"),
    NavItem(_("Calendar"), "events:event-calendar", icon="calendar3"),
    NavItem(_("Bank of practices"), "events:material-list", icon="journal-bookmark"),
    NavItem(
        _("Participation"),
        "events:participation",
        icon="people",
        roles=(Role.REGIONAL_COORDINATOR, Role.MUNICIPAL_COORDINATOR, Role.METHODIST),
    ),
]
