"""Home-page panels and school-card sections of the curators app."""

from django.utils import timezone

from accounts.models import Role
from accounts.scoping import MANAGE, VIEW, may_view_partner_pair, municipalities_for, schools_for
from core.cache import scope_key
from core.compiled import prepared, prepared_count
from core.dashboard import Panel, can_see
from core.years import current_academic_year
from curators import selectors
from curators.models import CuratorAssignment, PartnerPair, Recommendation, RecommendationStatus, Visit
from schools.selectors import low_results_movement, low_results_schools


def panels(user) -> list[Panel]:
    result: list[Panel] = []
    if not user.is_authenticated:
        return result
    if user.role == Role.CURATOR:
        rows = selectors.my_schools(user)
        if rows:
            result.append(Panel("curators/_panel_my_schools.html", {"rows": rows}, order=5, width="col-12"))
    if user.role == Role.SCHOOL_ADMIN and user.school_id:
        recs = list(
            Recommendation.objects.restrict(user)
            .filter(visit__school_id=user.school_id, status=RecommendationStatus.OPEN)
            .select_related("visit")
            .order_by("due_date")[:8]
        )
        unconfirmed = Visit.objects.restrict(user).filter(school_id=user.school_id, confirmed_at__isnull=True).count()
        result.append(
            Panel(
                "curators/_panel_school_recs.html",
                {"recs": recs, "unconfirmed": unconfirmed, "school_id": user.school_id},
                order=15,
            )
        )
    # The coordinator's queries depend on the reader's scope, the year and the date only: kept
    # compiled per scope (core/compiled.py).
    scope = scope_key(user)
    if user.is_coordinator:
        munis = list(prepared(("home.munis", scope), lambda: municipalities_for(user, MANAGE)[:3]))
    else:
        munis = []
    if munis:
        year = current_academic_year()
        today = timezone.localdate()
        movements = [{"municipality": muni, **low_results_movement(muni, year)} for muni in munis]
        result.append(Panel("schools/_panel_lists.html", {"movements": movements, "year": year}, order=12))
        # the ШНОР queryset built only when the planner's head is prepared (or checked)
        planner, unvisited = selectors.planner_summary(
            lambda: low_results_schools(schools_for(user, VIEW), year), year, limit=5, key=(scope,)
        )
        overdue_key = ("home.overdue", scope, today)
        result.append(
            Panel(
                "curators/_panel_coordinator.html",
                {
                    "overdue_count": prepared_count(overdue_key, lambda: selectors.overdue_recommendations(user)),
                    "overdue": list(
                        prepared(overdue_key, lambda: selectors.overdue_recommendations(user).order_by("due_date")[:5])
                    ),
                    "planner": planner,
                    "curators_at_work": prepared_count(
                        ("home.curators", scope, year), lambda: selectors.curator_assignments_at_work(user, year)
                    ),
                    "unvisited": unvisited,
                },
                order=13,
            )
        )
    return result


def school_sections(user, school) -> list[Panel]:
    # each query compiled once for every school (its id swapped in: core/compiled.py)
    year, sid = current_academic_year(), school.pk
    assignments = prepared(
        ("card.assignments", year),
        lambda sid: CuratorAssignment.objects.filter(school_id=sid, year=year, is_active=True).select_related(
            "curator"
        ),
        sid,
    )
    pairs = prepared(
        ("card.pairs",),
        lambda sid: PartnerPair.objects.filter(school_id=sid).select_related("leader").order_by("-year")[:3],
        sid,
    )
    led = list(
        prepared(
            ("card.led",),
            lambda sid: PartnerPair.objects.filter(leader_id=sid).select_related("school").order_by("-year")[:5],
            sid,
        )
    )
    for pair in led:  # a pair opens through its supported school, which may be beyond the reader's
        pair.viewable = may_view_partner_pair(user, pair)
    visits = list(
        prepared(
            ("card.visits",),
            lambda sid: Visit.objects.filter(school_id=sid).select_related("curator").order_by("-date")[:3],
            sid,
        )
    )
    open_recs = list(
        prepared(
            ("card.open_recs",),
            lambda sid: selectors.open_recommendations(Recommendation.objects.filter(visit__school_id=sid))[:5],
            sid,
        )
    )
    if not (assignments or pairs or led or visits or open_recs) and not can_see(user, MANAGE, school):
        return []
    return [
        Panel(
            "curators/_section_school.html",
            {
                "school": school,
                "year": year,
                "assignments": assignments,
                "pairs": pairs,
                "led": led,
                "visits": visits,
                "open_recs": open_recs,
                "figures": selectors.school_visit_figures(school),
                "can_manage": can_see(user, MANAGE, school),
            },
            order=40,
            width="col-12",
        )
    ]
