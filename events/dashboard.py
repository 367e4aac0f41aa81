"""Home panels and the school card section of the events app."""

from django.utils.translation import gettext as _

from accounts.models import Role
from core.dashboard import Panel
from events import selectors


def panels(user) -> list[Panel]:
    result = [
        Panel(
            "events/panels/upcoming.html",
            {"events": selectors.events_upcoming(user), "panel_title": _("Upcoming events"), "key": "up"},
            order=40,
        )
    ]
    if user.role == Role.SCHOOL_ADMIN and user.school_id:
        regs = list(selectors.registrations_of_school(user.school)[:8])
        result.append(
            Panel(
                "events/panels/school_registrations.html",
                {"registrations": regs, "panel_title": _("Events my staff are registered for")},
                order=41,
            )
        )
    if user.is_superuser or user.role in (Role.METHODIST, Role.MUNICIPAL_COORDINATOR, Role.REGIONAL_COORDINATOR):
        idle = selectors.low_results_without_participation_head(user, 6, limit=10)
        result.append(
            Panel(
                "events/panels/idle_schools.html",
                {
                    "schools": idle,
                    "low_count": selectors.low_results_count(user),
                    "panel_title": _("ШНОР without participation in events for 6 months"),
                },
                order=42,
            )
        )
    return result


def school_sections(user, school) -> list[Panel]:
    return [Panel("events/panels/school_section.html", {"p": selectors.school_participation(school)}, order=60)]
