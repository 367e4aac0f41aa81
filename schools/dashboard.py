from django.utils.translation import gettext as _

from accounts.scoping import schools_for
from core.dashboard import Panel
from schools.selectors import school_counts


def panels(user) -> list[Panel]:
    counts = school_counts(schools_for(user))
    if counts["total"] == 0:
        return []
    return [Panel("schools/_panel_counts.html", {"counts": counts, "panel_title": _("Schools")}, order=10)]
