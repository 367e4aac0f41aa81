from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.scoping import VIEW, schools_for
from assessment import selectors
from assessment.models import Flag, GroupResult, RiskZoneCount, SchoolIndex
from core.dashboard import Panel


def panels(user) -> list[Panel]:
    if not schools_for(user, VIEW).exists():
        return []
    run = selectors.last_run()
    scoped = Flag.objects.restrict(user, VIEW)
    latest = scoped.aggregate(y=Max("year"))["y"]
    counts = selectors.flag_counts(scoped, latest)
    return [
        Panel(
            "assessment/_panel_home.html",
            {"run": run, "year": latest, "counts": counts, "panel_title": _("Assessment results")},
            order=50,
        )
    ]


def school_sections(user, school) -> list[Panel]:
    latest = GroupResult.objects.filter(school=school).aggregate(y=Max("year"))["y"]
    if latest is None:
        return []
    context = {
        "school": school,
        "year": latest,
        "flags": Flag.objects.filter(school=school, year=latest).count(),
        "index": SchoolIndex.objects.filter(school=school, year=latest).first(),
        "risk": sum(RiskZoneCount.objects.filter(school=school, year=latest).values_list("students", flat=True)),
    }
    return [Panel("assessment/_school_section.html", context, order=50)]
