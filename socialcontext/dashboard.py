"""The context app's panel on the home page and its section of the school card."""

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.scoping import MANAGE, VIEW
from core.cache import scope_key
from core.compiled import prepared_aggregate
from core.dashboard import Panel, can_see
from socialcontext import selectors
from socialcontext.models import Category, PartnerSuggestion, SchoolContextFigure


def panels(user) -> list[Panel]:
    """For those who oversee a municipality: the latest year read against context — resilient
    schools, schools below expected, «check objectivity» prompts, partner suggestions."""
    if not scoping.may_oversee_municipalities(user):
        return []

    def figures():  # built when the year's query is prepared (or checked), or for a year's counts
        return SchoolContextFigure.objects.restrict(user, VIEW).exclude(category="")

    # compiled once per reader's scope (core/compiled.py)
    year = prepared_aggregate(("home.context_year", scope_key(user)), figures, y=Max("year"))["y"]
    counts = {}
    if year is not None:
        counts = (
            figures()
            .filter(year=year)
            .aggregate(
                resilient=Count("id", filter=Q(category=Category.RESILIENT)),
                below=Count("id", filter=Q(category=Category.BELOW)),
                anomalies=Count("id", filter=Q(anomaly=True)),
            )
        )
        counts["suggestions"] = PartnerSuggestion.objects.restrict(user, VIEW).filter(year=year).count()
    return [
        Panel(
            "socialcontext/_panel_home.html",
            {"year": year, "counts": counts, "can_import": scoping.may_import(user)},
            order=52,
        )
    ]


def school_sections(user, school) -> list[Panel]:
    data = selectors.school_context(school)
    can_manage = can_see(user, MANAGE, school)
    if not data["rows"] and not can_manage:
        return []
    return [
        Panel(
            "socialcontext/_school_section.html",
            {"school": school, **data, "can_manage": can_manage, "title": _("Social context of the school")},
            order=55,
            width="col-12",
        )
    ]
