"""The context app's sections of the PDF reports (see core.dashboard and reports.documents):
the school report's context lines and the municipal report's «Результаты с учётом контекста».
Both read the same selectors as the pages (one truth per figure); the chart is the page's
picture without its links."""

from __future__ import annotations

from core.dashboard import Panel
from socialcontext import selectors
from socialcontext.models import Category, PartnerSuggestion

ORDER = 55  # after the assessment results (50)


def school_report_sections(school, year: int) -> list[Panel]:
    data = selectors.school_year_context(school, year)
    if data["context"] is None and data["figure"] is None:
        return []
    return [Panel("socialcontext/pdf/school_context.html", {"year": year, **data}, order=ORDER)]


def municipal_report_sections(municipality, year: int) -> list[Panel]:
    mc = selectors.municipal_context(municipality, year, links=False)
    if not mc.context_rows and not mc.figures:
        return []
    fitted = [f for f in mc.figures if f.has_fit]
    suggestions = list(
        PartnerSuggestion.objects.filter(municipality=municipality, year=year)
        .select_related("school", "partner")
        .order_by("school__sort_name", "rank")
    )
    return [
        Panel(
            "socialcontext/pdf/municipal_context.html",
            {
                "year": year,
                "mc": mc,
                "resilient": [f for f in fitted if f.category == Category.RESILIENT],
                "below": sorted((f for f in fitted if f.category == Category.BELOW), key=lambda f: f.residual),
                "anomalies": [(f, selectors.anomaly_words(f, mc.fit)) for f in mc.anomalies],
                "suggestions": suggestions,
            },
            order=ORDER,
        )
    ]
