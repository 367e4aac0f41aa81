from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.navigation import NavItem

OVERSEERS = (Role.REGIONAL_COORDINATOR, Role.MUNICIPAL_COORDINATOR, Role.METHODIST)

# Under the «Результаты» menu (assessment/navigation.py): the bar has no room for one more app.
RESULTS_ITEMS = [
    NavItem(_("Weak skills"), "skills:weak-skills", icon="bullseye", roles=OVERSEERS),
    NavItem(_("Skill deficits"), "skills:deficit-list", icon="exclamation-diamond", roles=OVERSEERS),
    NavItem(_("Did the help help?"), "skills:help-effect", icon="arrow-left-right", roles=OVERSEERS),
    NavItem(_("Task plans"), "skills:plan-list", icon="list-ol", roles=OVERSEERS),
    NavItem(_("Skill catalogue"), "skills:skill-list", icon="journal-text", roles=OVERSEERS),
    NavItem(
        _("Task plan imports"),
        "skills:import-list",
        icon="cloud-upload",
        roles=(Role.REGIONAL_COORDINATOR, Role.MUNICIPAL_COORDINATOR),
    ),
]
