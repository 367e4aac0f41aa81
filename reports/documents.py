"""The documents the portal issues.  A builder gathers the data (sections come from each
app's ``documents.py``, see core.dashboard) and names the template; reports.services
renders it to PDF (reports/pdf.py) or .docx (reports/docx.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from core.years import academic_year_label
from reports.models import ReportKind
from schools.models import Municipality, School


@dataclass
class Document:
    template: str
    title: str
    filename: str
    municipality: Municipality | None
    context: dict = field(default_factory=dict)
    number: str = ""
    order: OrderText | None = None  # an order's text and requisites (PDF and .docx read it)
    requisites: object = None  # reports.requisites.Requisites of the issuer and signatory
    doc_date: object = None
    kind: str = "report"  # "order" | "report" | "note" | … (the page layout)
    text: str = ""  # a narrative's text (the information note)


def _analytical(kind: str, subject, municipality, year: int, **doc) -> Document:
    """A document of numbered sections (reports.sections), signed by the head of the
    authority in office on its date (reports.requisites; a blank line if none is kept)."""
    from reports.requisites import municipal_requisites
    from reports.sections import render_sections, sections_of

    day = timezone.localdate()
    requisites = municipal_requisites(municipality, day)
    context = doc.pop("context")
    return Document(
        municipality=municipality,
        requisites=requisites,
        doc_date=day,
        context={
            **context,
            "year": year,
            "sections": render_sections(sections_of(kind), subject, year),
            "requisites": requisites,
        },
        **doc,
    )


def school_report(school: School, year: int, user=None) -> Document:
    return _analytical(
        "school",
        school,
        school.municipality,
        year,
        template="reports/pdf/school_report.html",
        title=_("Report on the school «%(school)s» for %(year)s")
        % {"school": school.short_name, "year": academic_year_label(year)},
        filename=f"school-report-{school.code}-{year}",
        context={"school": school},
    )


def municipal_report(municipality: Municipality, year: int, user=None) -> Document:
    return _analytical(
        "municipal",
        municipality,
        municipality,
        year,
        template="reports/pdf/municipal_report.html",
        title=_("Monitoring report on the support of low-result schools, %(year)s")
        % {"year": academic_year_label(year)},
        filename=f"municipal-report-{municipality.pk}-{year}",
        context={"municipality": municipality},
    )


def info_note(municipality: Municipality, year: int, user=None, text: str | None = None) -> Document:
    """The information note: the coordinator's edited narrative, or the one generated from
    the data (reports.narrative) when none is given; headings numbered as rendered."""
    from reports.narrative import generate, parts
    from reports.requisites import municipal_requisites

    day = timezone.localdate()
    requisites = municipal_requisites(municipality, day)
    text = text if text is not None else generate(municipality, year)
    return Document(
        template="reports/pdf/info_note.html",
        title=_("Information note on work with schools with low educational results in %(year)s")
        % {"year": academic_year_label(year)},
        filename=f"info-note-{municipality.pk}-{year}",
        municipality=municipality,
        requisites=requisites,
        doc_date=day,
        kind="note",
        context={"municipality": municipality, "year": year, "parts": parts(text), "requisites": requisites},
        text=text,
    )


# --- Orders (проекты приказов) -----------------------------------------------------------
#
# Requisites and layout per DOCUMENTS.md (ГОСТ Р 7.0.97-2016, as the seeds' orders apply it).
# The text of an order is Russian: it is an official paper of a Russian authority, whatever
# the language of the interface.


@dataclass
class OrderText:
    """What an order says: its title, preamble (basis and aim), numbered points, the
    appendix; and its requisites (issuer, signatory in office on its date, executor)."""

    title: str
    basis: list[str]
    aim: str
    points: list[str]
    appendix_title: str
    headers: list[str]
    rows: list[list]
    requisites: object
    executor: object
    registered: object = None  # the registry's Order this draft was signed and registered as
    widths: list[int] = field(default_factory=list)  # appendix column widths, %

    @property
    def preamble(self) -> str:
        basis = ""
        if self.basis:
            basis = "В соответствии с " + (", ".join(self.basis[:-1]) + " и " if len(self.basis) > 1 else "")
            basis += self.basis[-1] + " и "
        text = basis + self.aim
        return text[0].upper() + text[1:] + ","

    @property
    def date(self):
        return self.registered.date if self.registered else None

    @property
    def number(self) -> str:
        return self.registered.number if self.registered else ""


def AppendixEmpty(message):
    from reports.requisites import DocumentRefused

    return DocumentRefused(message)


def _order_text(municipality, year: int, draft_kind: str, user, **text) -> OrderText:
    from reports.requisites import RequisitesMissing, executor, municipal_requisites
    from schools.documents import basis_orders
    from schools.models import Order

    registered = (
        Order.objects.filter(municipality=municipality, draft_kind=draft_kind, draft_year=year)
        .order_by("-date", "-id")
        .first()
    )
    day = registered.date if registered else timezone.localdate()
    missing = []
    requisites = municipal_requisites(municipality, day)
    missing += requisites.missing
    mark = None
    if user is not None:
        try:
            mark = executor(user)
        except RequisitesMissing as exc:
            missing += exc.missing
    if missing:
        raise RequisitesMissing(missing)
    if not text["rows"]:
        raise AppendixEmpty(text.pop("empty"))
    text.pop("empty", None)
    basis = [o.citation for o in basis_orders(municipality, draft_kind, day)]
    return OrderText(basis=basis, requisites=requisites, executor=mark, registered=registered, **text)


def _control_point(n: int) -> str:
    return f"{n}. Контроль исполнения настоящего приказа оставляю за собой."


def order_low_results(municipality: Municipality, year: int, user=None) -> Document:
    from schools.models import DraftOrderKind
    from schools.selectors import low_results_schools

    y = academic_year_label(year)
    schools = list(low_results_schools(municipality.schools.all(), year).order_by("sort_name"))
    text = _order_text(
        municipality,
        year,
        DraftOrderKind.LOW_RESULTS,
        user,
        title="Об утверждении перечня общеобразовательных организаций с низкими образовательными результатами "
        f"на {y} учебный год",
        aim="в целях организации адресной методической помощи общеобразовательным организациям, имеющим низкие "
        f"образовательные результаты обучающихся, в {y} учебном году",
        points=[
            "1. Утвердить перечень общеобразовательных организаций с низкими образовательными результатами (ШНОР) "
            f"на {y} учебный год (приложение).",
            "2. Руководителям общеобразовательных организаций, включённых в перечень, разработать и представить "
            "антирисковые программы и дорожные карты их реализации.",
            _control_point(3),
        ],
        appendix_title=f"Перечень общеобразовательных организаций с низкими образовательными результатами на {y} "
        "учебный год",
        headers=["№ п/п", "Общеобразовательная организация", "Код ОО"],
        rows=[[i, s.name, s.code] for i, s in enumerate(schools, start=1)],
        widths=[10, 70, 20],
        empty=_(
            "No school of %(m)s is on the list of schools with low results in %(year)s: the order would "
            "approve an empty list and is not produced. Set the statuses first (menu «Statuses»)."
        )
        % {"m": municipality.name, "year": y},
    )
    return _order(municipality, year, text, f"order-low-results-{municipality.pk}-{year}")


def order_curators(municipality: Municipality, year: int, user=None) -> Document:
    from curators.models import CuratorAssignment
    from schools.models import DraftOrderKind

    y = academic_year_label(year)
    assignments = (
        CuratorAssignment.objects.filter(school__municipality=municipality, year=year, is_active=True)
        .select_related("curator__school", "school")
        .order_by("school__sort_name", "curator__last_name")
    )
    rows = [
        [
            i,
            a.school.short_name,
            a.curator.full_name,
            ", ".join(p for p in (a.curator.position, str(a.curator.school or "")) if p),
            a.get_role_display(),
        ]
        for i, a in enumerate(assignments, start=1)
    ]
    text = _order_text(
        municipality,
        year,
        DraftOrderKind.CURATORS,
        user,
        title="О назначении кураторов общеобразовательных организаций с низкими образовательными результатами "
        f"на {y} учебный год",
        aim="в целях организации адресного методического сопровождения общеобразовательных организаций с низкими "
        f"образовательными результатами в {y} учебном году",
        points=[
            "1. Назначить кураторов общеобразовательных организаций с низкими образовательными результатами "
            "(приложение).",
            "2. Кураторам посещать курируемые организации, участвовать в разработке их программ и рассматривать "
            "их отчёты о ходе реализации дорожных карт по итогам полугодия.",
            "3. Руководителям курируемых организаций обеспечить условия для работы кураторов.",
            _control_point(4),
        ],
        appendix_title=f"Кураторы общеобразовательных организаций с низкими образовательными результатами на {y} "
        "учебный год",
        headers=["№ п/п", "Курируемая организация", "Куратор", "Должность, место работы", "Роль"],
        rows=rows,
        widths=[10, 21, 24, 30, 15],
        empty=_(
            "No curator is assigned in %(m)s for %(year)s: the order's appendix would be empty and it is not "
            "produced. Assign the curators first (menu «Curators»)."
        )
        % {"m": municipality.name, "year": y},
    )
    return _order(municipality, year, text, f"order-curators-{municipality.pk}-{year}")


def order_partners(municipality: Municipality, year: int, user=None) -> Document:
    from curators.models import PartnerPair
    from schools.models import DraftOrderKind

    y = academic_year_label(year)
    pairs = (
        PartnerPair.objects.filter(school__municipality=municipality, year=year)
        .select_related("school", "leader")
        .order_by("school__sort_name", "leader__sort_name")
    )
    text = _order_text(
        municipality,
        year,
        DraftOrderKind.PARTNERS,
        user,
        title="Об утверждении партнёрских пар общеобразовательных организаций с низкими образовательными "
        f"результатами и школ-лидеров на {y} учебный год",
        aim="в целях повышения образовательных результатов общеобразовательных организаций с низкими "
        f"образовательными результатами через партнёрство со школами-лидерами в {y} учебном году",
        points=[
            "1. Утвердить партнёрские пары общеобразовательных организаций с низкими образовательными "
            "результатами и школ-лидеров (приложение).",
            "2. Руководителям организаций каждой пары согласовать план совместной работы и представлять "
            "информацию о его выполнении по итогам каждого полугодия.",
            _control_point(3),
        ],
        appendix_title=f"Партнёрские пары общеобразовательных организаций на {y} учебный год",
        headers=["№ п/п", "Организация с низкими результатами", "Школа-лидер", "План совместной работы"],
        rows=[[i, p.school.short_name, p.leader.short_name, p.plan] for i, p in enumerate(pairs, start=1)],
        widths=[10, 27, 25, 38],
        empty=_(
            "No partner pair is formed in %(m)s for %(year)s: the order's appendix would be empty and it is "
            "not produced. Form the pairs first (menu «Partner pairs»)."
        )
        % {"m": municipality.name, "year": y},
    )
    return _order(municipality, year, text, f"order-partners-{municipality.pk}-{year}")


def _order(municipality, year, text: OrderText, filename) -> Document:
    return Document(
        template="reports/pdf/order.html",
        title=text.title,
        filename=filename,
        municipality=municipality,
        context={"order": text, "year": year},
        number=text.number,
        order=text,
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
