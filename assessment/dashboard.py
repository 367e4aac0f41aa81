from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.scoping import VIEW, schools_for
from assessment import selectors
from assessment.models import Flag, RiskZoneCount, SchoolIndex
from core.cache import scope_key
from core.compiled import prepared_aggregate, prepared_count, prepared_exists
from core.dashboard import Panel


def panels(user) -> list[Panel]:
    scope = scope_key(user)  # these queries compiled once per reader's scope (core/compiled.py)
    if not prepared_exists(("home.schools", scope), lambda: schools_for(user, VIEW)):
        return []
    run = selectors.last_run()
    latest = prepared_aggregate(
        ("home.results_year", scope), lambda: selectors.results_of(schools_for(user, VIEW)), y=Max("year")
    )["y"]
    # no results year, no flags to count: the scoped queryset is not even built
    flags = Flag.objects.restrict(user, VIEW) if latest is not None else Flag.objects.none()
    totals = selectors.flag_totals(flags, latest)
    return [
        Panel(
            "assessment/_panel_home.html",
            {"run": run, "year": latest, "totals": totals, "panel_title": _("Assessment results")},
            order=50,
        )
    ]


def school_sections(user, school) -> list[Panel]:
    latest = selectors.school_results_year(school)
    if latest is None:
        return []
    # compiled once for every school (its id and the year swapped in: core/compiled.py)
    sid = school.pk
    context = {
        "school": school,
        "year": latest,
        "flags": prepared_count(
            ("card.flags",), lambda sid, year: selectors.school_flags().filter(school_id=sid, year=year), sid, latest
        ),
        "teachers": prepared_count(
            ("card.teachers",),
            lambda sid, year: selectors.teacher_dynamics(Flag.objects.filter(school_id=sid, year=year)),
            sid,
            latest,
        ),
        "index": SchoolIndex.objects.filter(school=school, year=latest).first(),
        "risk": sum(RiskZoneCount.objects.filter(school=school, year=latest).values_list("students", flat=True)),
    }
    return [Panel("assessment/_school_section.html", context, order=50)]
