"""The requisites of the documents the portal issues (ГОСТ Р 7.0.97-2016, DOCUMENTS.md): who
issues a document (the lines above the body, the body, the place of issue), who signs it (the
head in office on the document's date, or a school's director) and who made it (the executor
mark).  The one place every document — orders, reports, notes, protocols, certificates, the
regional report — reads them; a document that needs a requisite the portal does not keep is
refused with a message that says what to fill in and where (``RequisitesMissing``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import Refused


class DocumentRefused(Refused):
    """A document is not produced; ``missing`` lists why, each message saying what to do
    and where.  The request form shows them (``core.errors.add_service_errors``), the API
    answers 400 «refused» (``core.rest``); nothing is kept."""

    @property
    def missing(self) -> list[str]:
        return self.messages


class RequisitesMissing(DocumentRefused):
    """A document cannot be made: its requisites are not filled in."""


@dataclass
class Requisites:
    issuer: str
    header_lines: list[str] = field(default_factory=list)
    place: str = ""
    head_position: str = ""
    head_name: str = ""  # «И.О. Фамилия»
    logo: object = None
    region: object = None
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    def require(self) -> Requisites:
        """Self, or ``RequisitesMissing`` naming what is not filled in."""
        if self.missing:
            raise RequisitesMissing(self.missing)
        return self

    @property
    def education_body(self) -> str:  # what reports.pdf.document_header reads
        return self.issuer


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def municipal_requisites(municipality, day: datetime.date) -> Requisites:
    """The municipal education authority on ``day``: its header lines, name, place of issue
    and the head in office that day."""
    from schools.models import AuthorityHead

    missing = []
    where = _("the page «Document requisites» (menu «Schools»)")
    if not municipality.education_body:
        missing.append(
            _("Fill in the full name of the education authority of %(m)s on %(where)s.")
            % {"m": municipality.name, "where": where}
        )
    if not municipality.place_of_issue:
        missing.append(
            _("Fill in the place of issue («г. …») of %(m)s on %(where)s.") % {"m": municipality.name, "where": where}
        )
    head = AuthorityHead.objects.filter(municipality=municipality).on(day).order_by("-date_from").first()
    if head is None:
        missing.append(
            _(
                "On %(day)s no head of the education authority of %(m)s is in office: add the head with the dates "
                "of their term on %(where)s."
            )
            % {"m": municipality.name, "day": f"{day:%d.%m.%Y}", "where": where}
        )
    return Requisites(
        issuer=municipality.education_body or settings.OPORA_DEFAULT_ISSUER,
        header_lines=_lines(municipality.header_lines) or [municipality.name],
        place=municipality.place_of_issue,
        head_position=head.position if head else "",
        head_name=head.signature_name if head else "",
        logo=municipality.logo or None,
        region=municipality.region,
        missing=missing,
    )


def regional_requisites(region, day: datetime.date) -> Requisites:
    """The regional education authority on ``day`` (the regional report's issuer and signatory)."""
    from schools.models import AuthorityHead

    missing = []
    where = _("the region's requisites (the admin's Regions and Heads of the education authority)")
    if not region.education_body:
        missing.append(
            _("Fill in the full name of the education authority of %(r)s in %(where)s.")
            % {"r": region.name, "where": where}
        )
    head = AuthorityHead.objects.filter(region=region).on(day).order_by("-date_from").first()
    if head is None:
        missing.append(
            _(
                "On %(day)s no head of the education authority of %(r)s is in office: add the head with the dates "
                "of their term in %(where)s."
            )
            % {"r": region.name, "day": f"{day:%d.%m.%Y}", "where": where}
        )
    return Requisites(
        issuer=region.education_body or settings.OPORA_DEFAULT_ISSUER,
        header_lines=_lines(region.header_lines) or [region.name],
        place=region.place_of_issue,
        head_position=head.position if head else "",
        head_name=head.signature_name if head else "",
        region=region,
        missing=missing,
    )


def signature_name(full_name: str) -> str:
    """«Иванова Мария Петровна» → «М.П. Иванова» (a name of other shape is left as it is)."""
    parts = full_name.split()
    if len(parts) in (2, 3) and all(p[:1].isupper() for p in parts):
        return "".join(f"{p[0]}." for p in parts[1:]) + " " + parts[0]
    return full_name.strip()


def school_requisites(school) -> Requisites:
    """A school's own document (its progress report, its roadmap): the school heads it and
    its director signs."""
    missing = []
    if not school.director:
        missing.append(_("Fill in the director of %(s)s (the school's card → «Edit»).") % {"s": school.short_name})
    return Requisites(
        issuer=school.name,
        header_lines=_lines(school.municipality.header_lines) or [school.municipality.name],
        place="",
        head_position=_("Director"),
        head_name=signature_name(school.director) if school.director else "",
        region=school.municipality.region,
        missing=missing,
    )


@dataclass
class Executor:
    name: str
    phone: str

    @property
    def mark(self) -> str:
        return f"Исп. {self.name}, тел. {self.phone}"  # a requisite of a Russian order: always Russian


def executor(user) -> Executor:
    """The executor mark of an order: the person who made the draft, with their phone."""
    name = " ".join(p for p in (user.last_name, user.first_name, getattr(user, "patronymic", "")) if p)
    missing = []
    if not name:
        missing.append(_("Fill in your last and first name in your profile (the menu under your name → «Profile»)."))
    if not user.phone:
        missing.append(
            _(
                "Fill in your work phone in your profile (the menu under your name → «Profile»): an order carries "
                "its executor's phone."
            )
        )
    if missing:
        raise RequisitesMissing(missing)
    return Executor(name=name, phone=user.phone)
