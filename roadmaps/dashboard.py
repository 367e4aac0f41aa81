"""Home panels and the school card section of roadmaps."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from core.cache import scope_key
from core.compiled import prepared, prepared_count
from core.dashboard import Panel
from core.years import current_academic_year
from roadmaps import selectors
from roadmaps.models import ProgressReport, Roadmap


def panels(user) -> list[Panel]:
    result = []
    role = "superuser" if user.is_superuser else user.role
    if role in (Role.MUNICIPAL_COORDINATOR, Role.REGIONAL_COORDINATOR, "superuser"):
        # compiled once per reader's scope and year (core/compiled.py)
        scope, year = scope_key(user), current_academic_year()
        roadmaps = prepared(("home.roadmaps", scope, year), lambda: selectors.current_roadmaps(user, year))
        states = selectors.report_states(roadmaps)
        waiting_key = ("home.waiting", scope)
        ctx = {
            "due": [s for s in states if s["due"]],
            "late": [s for s in states if s["late"]],
            "waiting_count": prepared_count(waiting_key, lambda: selectors.reports_waiting_for_approval(user)),
            "waiting": list(
                prepared(
                    waiting_key,
                    lambda: selectors.reports_waiting_for_approval(user).order_by("submitted_at", "pk")[:5],
                )
            ),
        }
        result.append(Panel("roadmaps/_panel_coordinator.html", ctx, order=30))
    if role == Role.CURATOR:
        result.append(
            Panel(
                "roadmaps/_panel_curator.html",
                {"waiting": list(selectors.reports_waiting_for_review(user)[:10])},
                order=20,
            )
        )
    if role == Role.SCHOOL_ADMIN and user.school_id:
        result.append(Panel("roadmaps/_panel_school.html", school_context(user, user.school), order=20))
    return result


def school_context(user, school) -> dict:
    # compiled once per reader's scope, year and date for every school (its id swapped in)
    scope, year, today = scope_key(user), current_academic_year(), timezone.localdate()
    roadmaps = prepared(
        ("card.roadmaps", scope, year, today),
        lambda sid: selectors.roadmaps_with_progress(Roadmap.objects.restrict(user).filter(school_id=sid, year=year)),
        school.pk,
    )
    states = selectors.report_states(roadmaps, today)
    reports = prepared(
        ("card.reports", scope),
        lambda sid: ProgressReport.objects.restrict(user).filter(roadmap__school_id=sid).select_related("roadmap")[:6],
        school.pk,
    )
    return {
        "school": school,
        "rows": [{**s, "completion": selectors.completion_share(s["roadmap"])} for s in states],
        "reports": reports,
        "title": _("Roadmap progress"),
    }


def school_sections(user, school) -> list[Panel]:
    ctx = school_context(user, school)
    if not ctx["rows"] and not ctx["reports"]:
        return []
    return [Panel("roadmaps/_panel_school.html", ctx, order=40, width="col-lg-6")]
