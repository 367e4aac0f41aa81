"""Producing documents: small ones in the request, long ones by a Celery task with
progress.  Every produced file is kept as a GeneratedReport ("my reports")."""

from __future__ import annotations

import logging
import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.scoping import municipalities_overseen, schools_for
from reports.documents import BUILDERS, Document
from reports.models import GeneratedReport, ReportFormat, ReportKind, ReportStatus

logger = logging.getLogger(__name__)

# Stored untranslated and translated when shown, in the reader's language.
QUEUE_UNAVAILABLE = gettext_noop(
    "The task queue is unavailable; the document will be built when it is back, or request it again."
)

# Documents built by the worker (they may cover a whole region); the rest render in the request.
LONG_KINDS = {ReportKind.MUNICIPAL, ReportKind.INFO_NOTE}


def report_subjects(user, kind: str):
    """The schools or municipalities a document of ``kind`` may be about for ``user``: a
    school's documents — any school they see; a municipality's — one they oversee whole.
    The pages and the API look the subject up here (absent or foreign: 404 alike)."""
    return schools_for(user) if BUILDERS[kind][1] else municipalities_overseen(user)


def document_build(kind: str, subject, year: int, user=None, text: str = "") -> Document:
    builder, _about_school = BUILDERS[kind]
    if kind == ReportKind.INFO_NOTE and text:
        return builder(subject, year, user=user, text=text)
    return builder(subject, year, user=user)


ORDER_KINDS = {ReportKind.ORDER_LOW_RESULTS, ReportKind.ORDER_CURATORS, ReportKind.ORDER_PARTNERS}


def document_check(kind: str, subject, year: int, user) -> None:
    """Refuse (``DocumentRefused``) a document that could not be signed as made: an order
    without its requisites, executor or appendix; a report of an authority without its
    head in office today.  Called before anything is recorded."""
    from django.utils import timezone

    from reports.requisites import municipal_requisites

    if kind in ORDER_KINDS:
        document_build(kind, subject, year, user=user)
        return
    municipality = subject.municipality if BUILDERS[kind][1] else subject
    municipal_requisites(municipality, timezone.localdate()).require()


def document_render(doc: Document, fmt: str) -> tuple[bytes, str, int | None]:
    """The file's bytes, its checksum (PDF) and page count (PDF)."""
    if fmt == ReportFormat.DOCX:
        from reports.docx import render_docx, render_note_docx

        return (render_note_docx(doc) if doc.kind == "note" else render_docx(doc)), "", None
    from reports.pdf import render_html, render_pdf_html

    html = render_html(
        doc.template,
        doc.context,
        municipality=doc.requisites or doc.municipality,
        title=doc.title,
        number=doc.number,
        doc_date=doc.doc_date,
    )
    pdf, pages = render_pdf_html(html)
    match = re.search(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", html)
    return pdf, match.group(0) if match else "", pages


def report_request(
    *, actor, kind: str, subject, year: int, fmt: str = ReportFormat.PDF, text: str = ""
) -> GeneratedReport:
    """Record the request and build the document now (short) or queue it (long).  ``subject``
    is the school or municipality, looked up in ``report_subjects(actor, kind)``."""
    user = actor
    about_school = BUILDERS[kind][1]
    document_check(kind, subject, year, user)
    report = GeneratedReport.objects.create(
        kind=kind,
        fmt=fmt,
        year=year,
        title=str(ReportKind(kind).label),
        school=subject if about_school else None,
        municipality=subject.municipality if about_school else subject,
        requested_by=user,
        text=text,
    )
    if kind in LONG_KINDS:
        report_enqueue(report)
    else:
        report_build(report.pk)
        report.refresh_from_db()
    return report


def report_enqueue(report: GeneratedReport) -> None:
    """Hand the report to the worker once the request's transaction commits."""
    transaction.on_commit(lambda: _send(report.pk))


def _send(report_id: int) -> None:
    from reports.tasks import build_report

    try:
        build_report.apply_async((report_id,), retry=False)
    except Exception as exc:  # broker down: the request stays queued, marked so the user knows
        logger.warning("report %s not queued: %s", report_id, exc)
        GeneratedReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(error=QUEUE_UNAVAILABLE)


def report_build(report_id: int) -> bool:
    """Build a queued report.  Idempotent: only one run takes a report from «queued»
    (compare-and-set); a finished report is left as it is."""
    taken = GeneratedReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, progress=5, error=""
    )
    if not taken:
        return False
    report = GeneratedReport.objects.select_related("school", "municipality", "requested_by").get(pk=report_id)
    try:
        subject = report.school if report.school_id else report.municipality
        doc = document_build(report.kind, subject, report.year, user=report.requested_by, text=report.text)
        _progress(report, 40)
        content, checksum, pages = document_render(doc, report.fmt)
        _progress(report, 90)
        report.title = doc.title
        if doc.text and not report.text:
            report.text = doc.text  # the text the file was made from is kept with it
        report.file.save(f"{doc.filename}.{report.fmt}", ContentFile(content), save=False)
        report.checksum, report.pages = checksum, pages
        report.status, report.progress, report.finished = ReportStatus.DONE, 100, timezone.now()
        report.save()
    except Exception as exc:
        logger.exception("report %s failed", report_id)
        GeneratedReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error=str(exc)[:2000], finished=timezone.now()
        )
        raise
    return True


def report_retry(report: GeneratedReport) -> None:
    """Put a failed or stuck report back in the queue."""
    GeneratedReport.objects.filter(pk=report.pk).exclude(status=ReportStatus.DONE).update(
        status=ReportStatus.QUEUED, progress=0, error=""
    )
    report_enqueue(report)


def _progress(report: GeneratedReport, value: int) -> None:
    GeneratedReport.objects.filter(pk=report.pk).update(progress=value)


def info_note_text(municipality, year: int) -> tuple[str, object]:
    """The note's text to edit: the coordinator's saved text, else the generated one."""
    from reports.models import InfoNote
    from reports.narrative import generate

    saved = InfoNote.objects.filter(municipality=municipality, year=year).first()
    return (saved.text, saved) if saved else (generate(municipality, year), None)


def info_note_save(*, municipality, year: int, text: str, user):
    """Keep the edited text (one per municipality and year)."""
    from reports.models import InfoNote

    note, _created = InfoNote.objects.update_or_create(
        municipality=municipality, year=year, defaults={"text": text, "updated_by": user}
    )
    return note
