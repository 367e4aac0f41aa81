"""The documents the portal issues.  A builder gathers the data (sections come from each
app's ``documents.py``, see core.dashboard) and names the template; reports.services
renders it to PDF (reports/pdf.py) or .docx (reports/docx.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from core.dashboard import Panel, collect
from core.years import academic_year_label
from reports.models import ReportKind
from schools.models import Municipality, School, StatusKind


@dataclass
class Document:
    template: str
    title: str
    filename: str
    municipality: Municipality | None
    context: dict = field(default_factory=dict)
    number: str = ""
    # For .docx: the order's paragraphs and its table (headers, rows).
    paragraphs: list[str] = field(default_factory=list)
    table: tuple[list[str], list[list]] | None = None


def school_report(school: School, year: int) -> Document:
    sections: list[Panel] = collect("documents", "school_report_sections", school, year)
    return Document(
        template="reports/pdf/school_report.html",
        title=_("Report on the school «%(school)s» for %(year)s")
        % {"school": school.short_name, "year": academic_year_label(year)},
        filename=f"school-report-{school.code}-{year}",
        municipality=school.municipality,
        context={"school": school, "year": year, "sections": sections},
    )


def municipal_report(municipality: Municipality, year: int) -> Document:
    sections: list[Panel] = collect("documents", "municipal_report_sections", municipality, year)
    return Document(
        template="reports/pdf/municipal_report.html",
        title=_("Monitoring report on the support of low-result schools, %(year)s")
        % {"year": academic_year_label(year)},
        filename=f"municipal-report-{municipality.pk}-{year}",
        municipality=municipality,
        context={"municipality": municipality, "year": year, "sections": sections},
    )


def info_note(municipality: Municipality, year: int) -> Document:
    sections: list[Panel] = collect("documents", "info_note_sections", municipality, year)
    return Document(
        template="reports/pdf/info_note.html",
        title=_("Information note on work with schools with low educational results in %(year)s")
        % {"year": academic_year_label(year)},
        filename=f"info-note-{municipality.pk}-{year}",
        municipality=municipality,
        context={"municipality": municipality, "year": year, "sections": sections},
    )


def order_low_results(municipality: Municipality, year: int) -> Document:
    from schools.selectors import schools_with_status

    schools = list(schools_with_status(municipality.schools.all(), StatusKind.LOW_RESULTS, year).order_by("sort_name"))
    headers = [_("№"), _("School"), _("Official code")]
    rows = [[i, s.name, s.code] for i, s in enumerate(schools, start=1)]
    paragraphs = [
        _(
            "In order to organise targeted methodical support of general education organisations with low "
            "educational results in the %(year)s academic year,"
        )
        % {"year": academic_year_label(year)},
        _("I ORDER:"),
        _(
            "1. To approve the list of general education organisations with low educational results (ШНОР) for the "
            "%(year)s academic year (appendix)."
        )
        % {"year": academic_year_label(year)},
        _("2. Heads of the organisations on the list shall develop and submit anti-risk programmes and roadmaps."),
        _("3. Control over the execution of this order is reserved."),
    ]
    return _order(
        municipality,
        year,
        _("On approving the list of schools with low educational results"),
        f"order-low-results-{municipality.pk}-{year}",
        paragraphs,
        headers,
        rows,
    )


def order_curators(municipality: Municipality, year: int) -> Document:
    from curators.models import CuratorAssignment

    assignments = (
        CuratorAssignment.objects.filter(school__municipality=municipality, year=year, is_active=True)
        .select_related("curator__school", "school")
        .order_by("school__sort_name", "curator__last_name")
    )
    headers = [_("№"), _("Supervised school"), _("Curator"), _("Position, school"), _("Role")]
    rows = [
        [
            i,
            a.school.short_name,
            a.curator.full_name,
            f"{a.curator.position}, {a.curator.school or ''}".strip(", "),
            a.get_role_display(),
        ]
        for i, a in enumerate(assignments, start=1)
    ]
    paragraphs = [
        _(
            "In order to provide targeted methodical support to schools with low educational results in the %(year)s "
            "academic year,"
        )
        % {"year": academic_year_label(year)},
        _("I ORDER:"),
        _("1. To appoint curators of schools with low educational results (appendix)."),
        _(
            "2. Curators shall visit the supervised schools, take part in working out their programmes and review "
            "their half-year progress reports."
        ),
        _("3. Control over the execution of this order is reserved."),
    ]
    return _order(
        municipality,
        year,
        _("On the appointment of curators of schools with low educational results"),
        f"order-curators-{municipality.pk}-{year}",
        paragraphs,
        headers,
        rows,
    )


def order_partners(municipality: Municipality, year: int) -> Document:
    from curators.models import PartnerPair

    pairs = (
        PartnerPair.objects.filter(school__municipality=municipality, year=year)
        .select_related("school", "leader", "order")
        .order_by("school__sort_name", "leader__sort_name")
    )
    headers = [_("№"), _("Supported school"), _("Leader school"), _("Plan of joint work")]
    rows = [[i, p.school.short_name, p.leader.short_name, p.plan] for i, p in enumerate(pairs, start=1)]
    paragraphs = [
        _(
            "In order to raise the educational results of schools with low educational results through the "
            "partnership with leader schools in the %(year)s academic year,"
        )
        % {"year": academic_year_label(year)},
        _("I ORDER:"),
        _("1. To approve the partner pairs of schools with low educational results and leader schools (appendix)."),
        _(
            "2. Heads of the schools in each pair shall agree a plan of joint work and report on its results at "
            "the end of each half-year."
        ),
        _("3. Control over the execution of this order is reserved."),
    ]
    return _order(
        municipality,
        year,
        _("On the partner pairs of schools with low educational results and leader schools"),
        f"order-partners-{municipality.pk}-{year}",
        paragraphs,
        headers,
        rows,
    )


def _order(municipality, year, title, filename, paragraphs, headers, rows) -> Document:
    return Document(
        template="reports/pdf/order.html",
        title=title,
        filename=filename,
        municipality=municipality,
        context={"paragraphs": paragraphs, "headers": headers, "rows": rows, "year": year, "appendix_title": title},
        number=_("draft"),
        paragraphs=paragraphs,
        table=(headers, rows),
    )


# kind → (builder, whether it concerns a school (else a municipality))
BUILDERS: dict[str, tuple[Callable[..., Document], bool]] = {
    ReportKind.SCHOOL: (school_report, True),
    ReportKind.MUNICIPAL: (municipal_report, False),
    ReportKind.INFO_NOTE: (info_note, False),
    ReportKind.ORDER_LOW_RESULTS: (order_low_results, False),
    ReportKind.ORDER_CURATORS: (order_curators, False),
    ReportKind.ORDER_PARTNERS: (order_partners, False),
}


def data_date():
    return timezone.localtime()
