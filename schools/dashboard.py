from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scoping import schools_for
from core.cache import scope_key
from core.compiled import prepared
from core.dashboard import Panel
from schools.selectors import school_counts, statuses_held


def panels(user) -> list[Panel]:
    if user.role == Role.SCHOOL_ADMIN and user.school_id:
        # A school's own people want their school, not a count of one.
        from core.years import current_academic_year
        from schools.models import School

        school = School.objects.select_related("municipality").get(pk=user.school_id)
        year = current_academic_year()
        return [
            Panel(
                "schools/_panel_my_school.html",
                {"school": school, "year": year, "statuses": list(statuses_held(school, year))},
                order=10,
            )
        ]
    # the scope's queryset built only when a count is prepared (or checked)
    counts = school_counts(lambda: schools_for(user), key=(scope_key(user),))
    if counts["total"] == 0:
        return []
    return [Panel("schools/_panel_counts.html", {"counts": counts, "panel_title": _("Schools")}, order=10)]


def school_sections(user, school) -> list[Panel]:
    """School card: the whole status history (with orders), programmes and the risk profile."""
    from accounts.scoping import EDIT, MANAGE
    from core.dashboard import can_see
    from core.years import current_academic_year
    from schools.models import ProgrammeParticipant, RiskAssessment, SchoolStatus

    # each query compiled once for every school (its id swapped in: core/compiled.py)
    year, sid = current_academic_year(), school.pk
    statuses = prepared(
        ("card.statuses",),
        lambda sid: (
            SchoolStatus.objects.filter(school_id=sid).select_related("order", "end_order").order_by("-year_from")
        ),
        sid,
    )
    programmes = prepared(
        ("card.programmes",),
        lambda sid: (
            ProgrammeParticipant.objects.filter(school_id=sid).select_related("programme").order_by("-programme__year")
        ),
        sid,
    )

    def profile(sid, year):
        return RiskAssessment.objects.filter(school_id=sid, year=year).select_related("factor")

    assessments = list(prepared(("card.risks",), profile, sid, year))
    if not assessments:  # the latest profile before (the one the school's risk level rests on)
        last = next(
            iter(
                prepared(
                    ("card.risks_before",),
                    lambda sid, year: (
                        RiskAssessment.objects.filter(school_id=sid, year__lt=year)
                        .order_by("-year")
                        .values_list("year", flat=True)[:1]
                    ),
                    sid,
                    year,
                )
            ),
            None,
        )
        if last:
            year = last
            assessments = list(prepared(("card.risks",), profile, sid, year))
    return [
        Panel(
            "schools/_section_statuses.html",
            {
                "school": school,
                "statuses": statuses,
                "programmes": programmes,
                "can_manage": can_see(user, MANAGE, school),
            },
            order=20,
        ),
        Panel(
            "schools/_section_risks.html",
            {"school": school, "year": year, "assessments": assessments, "can_edit": can_see(user, EDIT, school)},
            order=30,
        ),
    ]
