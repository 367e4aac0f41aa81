"""The schools app's sections of the PDF reports (see core.dashboard and reports.documents)."""

from django.utils.translation import gettext as _

from core.dashboard import Panel
from schools.models import RiskAssessment, SchoolStatus, StatusKind
from schools.selectors import risk_heatmap, schools_with_status, status_movement


def school_report_sections(school, year: int) -> list[Panel]:
    statuses = (
        SchoolStatus.objects.filter(school=school).select_related("order", "end_order").order_by("kind", "year_from")
    )
    risks = (
        RiskAssessment.objects.filter(school=school, year=year).select_related("factor").order_by("factor__position")
    )
    return [
        Panel("schools/pdf/school_profile.html", {"school": school}, order=10),
        Panel("schools/pdf/school_statuses.html", {"statuses": statuses}, order=20),
        Panel("schools/pdf/school_risks.html", {"risks": risks, "year": year}, order=30),
    ]


def municipal_report_sections(municipality, year: int) -> list[Panel]:
    from core.charts import bar_chart
    from core.years import academic_year_label

    schools = municipality.schools.filter(is_active=True)
    listed = schools_with_status(schools, StatusKind.LOW_RESULTS, year).order_by("sort_name")
    years = list(range(year - 4, year + 1))
    movement = status_movement(municipality, StatusKind.LOW_RESULTS, years)
    chart = bar_chart(
        [academic_year_label(m["year"]) for m in movement],
        [m["total"] for m in movement],
        title=_("Schools with low results by year"),
    )
    return [
        Panel(
            "schools/pdf/municipal_overview.html",
            {"schools_total": schools.count(), "listed": listed, "movement": movement, "chart": chart, "year": year},
            order=10,
        ),
        Panel("schools/pdf/municipal_risks.html", {"heatmap": risk_heatmap(schools, year), "year": year}, order=30),
    ]


info_note_sections = municipal_report_sections
