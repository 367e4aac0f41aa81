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


# --- Citing the orders registry ---------------------------------------------------------

CITED_AS = {"order": "приказом", "letter": "письмом", "decree": "постановлением"}


def cite_order(order) -> str:
    """A registered order or letter as the preamble of an order cites it (ГОСТ Р 7.0.97-2016,
    as the seeds do): «приказом Министерства … от 12.02.2021 № 176-Д «О …»».  The document
    kind in the instrumental case, the issuer as the coordinator entered it for citing."""
    kind = CITED_AS.get(order.kind, "документом")
    issuer = (order.issuer_cited or order.issuer).strip()
    title = order.title.strip().rstrip(".")
    if title and not title.startswith("«"):
        title = f"«{title}»"
    parts = [kind, issuer, f"от {order.date:%d.%m.%Y}", f"№ {order.number}", title]
    return " ".join(p for p in parts if p)


def basis_orders(municipality, draft_kind: str, day):
    """The registry's basis documents cited in a draft of ``draft_kind``: the municipality's
    and its region's (regional and federal ones are kept under the region), dated on or
    before ``day``, oldest first (federal letters before the regional orders that follow them)."""
    from django.db.models import Q

    from schools.models import Order

    return (
        Order.objects.filter(Q(municipality=municipality) | Q(municipality__isnull=True, region=municipality.region_id))
        .filter(basis_for__in=["all", draft_kind], date__lte=day)
        .order_by("date", "sort_number")
    )
