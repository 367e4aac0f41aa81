"""The curators app's sections of the analytical documents (reports.sections): the curators'
work — assignments, visits, lessons observed, recommendations given / done / open / overdue,
partner pairs — for the municipal report, the information note and the school report.

One truth per figure: visits are counted as the comparison pages count them (visits dated
within the academic year, ``regional.selectors.visits_by_school``), overdue recommendations
on the year's data date as they do (``regional.selectors.overdue_recommendations``: today's
are ``curators.selectors.overdue_q``, the home panel's figure); a school's open and overdue
recommendations and last visit are the schools list's (``curators.selectors.with_visit_figures``)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import translation

from core.dashboard import Panel
from core.years import academic_year_bounds
from curators.models import CuratorAssignment, LessonObservation, PartnerPair, Recommendation, Visit
from curators.selectors import open_q, with_visit_figures

ORDER = 35


def _curators(schools, year: int) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for a in (
        CuratorAssignment.objects.filter(school__in=schools, year=year, is_active=True)
        .select_related("curator")
        .order_by("curator__last_name", "curator__first_name")
    ):
        out.setdefault(a.school_id, []).append(a.curator.short_name)
    return out


def _year_visits(schools, year: int):
    first, last = academic_year_bounds(year)
    return Visit.objects.filter(school__in=schools, date__gte=first, date__lte=last)


def municipal_curators(municipality, year: int) -> dict:
    """The curators' work with the municipality's programme schools (ШНОР of the year and the
    schools that have a curator that year), a row per school."""
    from regional.selectors import overdue_recommendations, visits_by_school
    from schools.selectors import low_results_schools

    active = municipality.schools.filter(is_active=True)
    low_ids = set(low_results_schools(active, year).values_list("id", flat=True))
    supervised = list(
        with_visit_figures(
            active.filter(
                Q(id__in=low_ids)
                | Q(id__in=CuratorAssignment.objects.filter(year=year, is_active=True).values("school"))
            )
        ).order_by("sort_name")
    )
    visits = visits_by_school([municipality.pk], [year])
    year_visits = _year_visits(supervised, year)
    lessons = dict(
        LessonObservation.objects.filter(visit__in=year_visits)
        .values("visit__school")
        .annotate(n=Count("id"))
        .values_list("visit__school", "n")
    )
    recs = Recommendation.objects.filter(visit__in=year_visits)
    given = {
        r["visit__school"]: r
        for r in recs.values("visit__school").annotate(n=Count("id"), done=Count("id", filter=~open_q()))
    }
    curators = _curators(supervised, year)
    rows = [
        {
            "school": s,
            "low": s.pk in low_ids,
            "curators": curators.get(s.pk, []),
            "visits": visits.get((s.pk, year), 0),
            "last": s.last_visit,
            "lessons": lessons.get(s.pk, 0),
            "given": given.get(s.pk, {}).get("n", 0),
            "done": given.get(s.pk, {}).get("done", 0),
            "open": s.open_recs,
            "overdue": s.overdue_recs,
        }
        for s in supervised
    ]
    return {
        "year": year,
        "rows": rows,
        "low_count": len(low_ids),
        "low_with_curator": sum(1 for r in rows if r["low"] and r["curators"]),
        "curators_total": CuratorAssignment.objects.filter(school__in=supervised, year=year, is_active=True)
        .values("curator")
        .distinct()
        .count(),
        "visits_low": sum(visits.get((s, year), 0) for s in low_ids),
        "visits": sum(r["visits"] for r in rows),
        "lessons": sum(lessons.values()),
        "given": sum(r["given"] for r in rows),
        "done": sum(r["done"] for r in rows),
        "overdue": overdue_recommendations([municipality.pk], [year]).get((municipality.pk, year), 0),
        "pairs": list(
            PartnerPair.objects.filter(school__municipality=municipality, year=year)
            .select_related("school", "leader")
            .order_by("school__sort_name", "leader__sort_name")
        ),
    }


def municipal_report_sections(municipality, year: int) -> list[Panel]:
    return [Panel("curators/pdf/municipal_curators.html", municipal_curators(municipality, year), order=ORDER)]


info_note_sections = municipal_report_sections


def school_report_sections(school, year: int) -> list[Panel]:
    from schools.models import School

    visits = list(
        _year_visits([school.pk], year)
        .select_related("curator")
        .annotate(n_lessons=Count("lessons", distinct=True), n_recs=Count("recommendations", distinct=True))
        .order_by("date")
    )
    recs = Recommendation.objects.filter(visit__in=[v.pk for v in visits]).aggregate(
        given=Count("id"), done=Count("id", filter=~open_q())
    )
    figures = with_visit_figures(School.objects.filter(pk=school.pk)).values("open_recs", "overdue_recs")[0]
    return [
        Panel(
            "curators/pdf/school_curators.html",
            {
                "year": year,
                "curators": _curators([school.pk], year).get(school.pk, []),
                "visit_list": visits,
                "given": recs["given"],
                "done": recs["done"],
                "open": figures["open_recs"],
                "overdue": figures["overdue_recs"],
                "pairs": list(
                    PartnerPair.objects.filter(Q(school=school) | Q(leader=school), year=year).select_related(
                        "school", "leader"
                    )
                ),
            },
            order=ORDER,
        )
    ]


# --- The visit protocol (справка по итогам посещения) ---------------------------------------


def visit_protocol_pdf(visit) -> bytes:
    """The protocol of a visit: the school, date and kind, the curator, the lessons observed
    with the criteria and their levels (a legend under the table), the findings, the
    recommendations with owners and deadlines, the signatures of the curator and the
    director.  Issued under the municipality's education authority; no system text."""
    from curators.models import RATING_SCALE
    from reports.pdf import render_pdf
    from reports.requisites import municipal_requisites, signature_name

    school = visit.school
    requisites = municipal_requisites(school.municipality, visit.date)
    lessons = list(visit.lessons.all())
    with translation.override("ru"):  # an official Russian paper, whatever the reader's language
        return render_pdf(
            "curators/pdf/visit_protocol.html",
            {
                "visit": visit,
                "school": school,
                "requisites": requisites,
                "lessons": lessons,
                "scale": sorted(RATING_SCALE.items()),
                "recommendations": list(visit.recommendations.select_related("owner_user").order_by("due_date", "id")),
                "curator_name": signature_name(visit.curator.full_name) if visit.curator.full_name else "",
                "director_name": signature_name(school.director) if school.director else "",
            },
            municipality=requisites,
            title=f"Справка по итогам посещения {school.short_name} {visit.date:%d.%m.%Y}",
            doc_date=visit.date,
        )
