"""Every write that is more than a save: document and roadmap workflows, the xlsx import,
progress reports (a service per transition, optimistic locking), the reminders, and the
hook the assessment app uses to fill indicator actuals.

Role rules beyond scope are enforced here and answered by the policy module
(accounts.scoping: ``may_fill_roadmap``, ``may_fill_report``, ``may_review``,
``may_review_report``, ``may_approve_report``):
- the school administrator (or a coordinator for a municipal roadmap) fills and submits;
- the curator assigned to the school this year accepts or returns, and comments per activity;
- a coordinator (``manage`` scope) approves, and only after the curator accepted;
- nobody edits an approved report."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scoping import (
    EDIT,
    can,
    frozen_reason,
    may_approve_report,
    may_fill_report,
    may_fill_roadmap,
    may_review,
    may_review_report,
    require_delete,
)
from core.errors import Frozen
from roadmaps.models import (
    Activity,
    ActivityStatus,
    DocumentKind,
    DocumentStatus,
    Evidence,
    Indicator,
    IndicatorActual,
    ProgressReport,
    ReminderKind,
    ReminderSent,
    ReportEntry,
    ReportStatus,
    ReportTransition,
    Roadmap,
    RoadmapStatus,
    SchoolDocument,
)
from roadmaps.selectors import (
    anti_risk_proposals,
    iter_document_activities,
    report_document,
    roadmap_periods,
    roadmap_quality_problems,
)

# --- Refusal --------------------------------------------------------------------------------


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


# --- School documents ---------------------------------------------------------------------


def document_propose_anti_risk(user, school, year: int) -> list[SchoolDocument]:
    """Create a draft anti-risk programme for each high/medium risk factor that has none."""
    _require(can(user, EDIT, school))
    created = []
    with transaction.atomic():
        for factor in anti_risk_proposals(school, year):
            created.append(
                SchoolDocument.objects.create(
                    school=school,
                    year=year,
                    kind=DocumentKind.ANTI_RISK,
                    risk_factor=factor,
                    title=_("Anti-risk programme: %(factor)s") % {"factor": factor.name},
                )
            )
    return created


def document_submit(user, doc: SchoolDocument) -> SchoolDocument:
    _require(can(user, EDIT, doc))
    if doc.status not in (DocumentStatus.DRAFT, DocumentStatus.RETURNED):
        raise ValidationError(_("Only a draft or returned document can be submitted."))
    if not doc.file:
        raise ValidationError(_("Attach the document's file before submitting."))
    doc.status = DocumentStatus.SUBMITTED
    doc.save(update_fields=["status", "updated"])
    return doc


def document_approve(user, doc: SchoolDocument, comment: str = "") -> SchoolDocument:
    _require(may_review(user, doc))
    if doc.status != DocumentStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted document can be approved."))
    doc.status = DocumentStatus.APPROVED
    if comment:
        doc.curator_comment = comment
    doc.save(update_fields=["status", "curator_comment", "updated"])
    return doc


def document_return(user, doc: SchoolDocument, comment: str) -> SchoolDocument:
    _require(may_review(user, doc))
    if doc.status != DocumentStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted document can be returned."))
    if not comment.strip():
        raise ValidationError({"comment": _("Write why the document is returned.")})
    doc.status = DocumentStatus.RETURNED
    doc.curator_comment = comment.strip()
    doc.save(update_fields=["status", "curator_comment", "updated"])
    return doc


def document_new_version(user, doc: SchoolDocument, file) -> SchoolDocument:
    """Replace the file of a draft or returned document; the version number goes up."""
    _require(can(user, EDIT, doc))
    if doc.status in (DocumentStatus.SUBMITTED, DocumentStatus.APPROVED):
        raise ValidationError(_("A submitted or approved document cannot be changed."))
    if doc.file:
        doc.version += 1
    doc.file = file
    doc.full_clean()
    doc.save()
    return doc


# --- Roadmap plan -------------------------------------------------------------------------


def activity_date_errors(roadmap: Roadmap, start: datetime.date | None, due: datetime.date | None) -> dict:
    """Russian messages for activity dates outside the roadmap period or in the wrong order."""
    errors = {}
    fmt = "%d.%m.%Y"
    bounds = {"start": roadmap.start_date.strftime(fmt), "end": roadmap.end_date.strftime(fmt)}
    if start and not roadmap.start_date <= start <= roadmap.end_date:
        errors["start_date"] = _("The start date must be inside the roadmap period (%(start)s – %(end)s).") % bounds
    if due and not roadmap.start_date <= due <= roadmap.end_date:
        errors["due_date"] = _("The due date must be inside the roadmap period (%(start)s – %(end)s).") % bounds
    if start and due and due < start and "due_date" not in errors:
        errors["due_date"] = _("The due date is before the start date.")
    return errors


def roadmap_node_delete(user, node) -> None:
    """Delete a goal, task, activity or indicator of the plan.  What a submitted or approved
    report already speaks about (entries, evidence, actual values) is kept, and nothing of a
    plan under review changes: such a node is refused with a message
    (``roadmaps.models.PlanNode.frozen_reason``, asked through ``accounts.scoping``)."""
    require_delete(user, node, EDIT)
    node.delete()


def roadmap_submit(user, roadmap: Roadmap) -> Roadmap:
    _require(may_fill_roadmap(user, roadmap))
    if roadmap.status != RoadmapStatus.DRAFT:
        raise ValidationError(_("Only a draft roadmap can be submitted."))
    problems = roadmap_quality_problems(roadmap)
    if problems:
        raise ValidationError([p.message for p in problems])
    roadmap.status = RoadmapStatus.SUBMITTED
    roadmap.save(update_fields=["status", "updated"])
    return roadmap


def roadmap_approve(user, roadmap: Roadmap) -> Roadmap:
    _require(may_review(user, roadmap))  # a municipal roadmap: its coordinators
    if roadmap.status != RoadmapStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted roadmap can be approved."))
    roadmap.status = RoadmapStatus.APPROVED
    roadmap.save(update_fields=["status", "updated"])
    return roadmap


def roadmap_return(user, roadmap: Roadmap) -> Roadmap:
    _require(may_review(user, roadmap))  # a municipal roadmap: its coordinators
    if roadmap.status != RoadmapStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted roadmap can be returned."))
    roadmap.status = RoadmapStatus.DRAFT
    roadmap.save(update_fields=["status", "updated"])
    return roadmap


def roadmap_import_xlsx(user, roadmap: Roadmap, fileobj) -> dict:
    """Merge rows of the xlsx template into the roadmap: goals, tasks and activities are
    matched by their text, indicators by name.  Every row is checked first; any error
    and nothing is written (the errors come back all at once, in Russian)."""
    from roadmaps.xlsx import parse_template

    _require(may_fill_roadmap(user, roadmap))
    rows, errors = parse_template(fileobj, roadmap)
    if errors:
        raise ValidationError(errors)
    if reason := roadmap.plan_frozen_reason():
        raise Frozen(reason)
    counts = {"goals": 0, "tasks": 0, "activities": 0, "indicators": 0}
    frozen = []
    with transaction.atomic():
        for row in rows:
            if message := _frozen_row(roadmap, row):
                frozen.append(message)
                continue
            goal, created = roadmap.goals.get_or_create(title=row["goal"], defaults={"position": roadmap.goals.count()})
            counts["goals"] += created
            task, created = goal.tasks.get_or_create(title=row["task"], defaults={"position": goal.tasks.count()})
            counts["tasks"] += created
            activity, created = Activity.objects.update_or_create(
                task=task,
                title=row["activity"],
                defaults={
                    "responsible_name": row["responsible_name"],
                    "responsible_position": row["responsible_position"],
                    "start_date": row["start_date"],
                    "due_date": row["due_date"],
                    "expected_result": row["expected_result"],
                    "risk_factor": row["risk_factor"],
                },
                create_defaults={
                    "position": task.activities.count(),
                    "responsible_name": row["responsible_name"],
                    "responsible_position": row["responsible_position"],
                    "start_date": row["start_date"],
                    "due_date": row["due_date"],
                    "expected_result": row["expected_result"],
                    "risk_factor": row["risk_factor"],
                },
            )
            counts["activities"] += created
            if row["indicator"]:
                _, created = Indicator.objects.update_or_create(
                    activity=activity,
                    name=row["indicator"],
                    defaults={"unit": row["unit"], "baseline": row["baseline"], "target": row["target"]},
                )
                counts["indicators"] += created
        if frozen:
            transaction.set_rollback(True)
            raise ValidationError(frozen)
    return counts


_IMPORTED_FIELDS = ("responsible_name", "responsible_position", "start_date", "due_date", "expected_result")


def _frozen_row(roadmap: Roadmap, row: dict) -> str | None:
    """A row that would change an activity a submitted or approved report speaks about (the
    same row again — an exported plan imported back — changes nothing and passes)."""
    activity = (
        Activity.objects.filter(task__goal__roadmap=roadmap, task__goal__title=row["goal"], task__title=row["task"])
        .filter(title=row["activity"])
        .first()
    )
    if activity is None or frozen_reason(activity) is None:
        return None
    same = all(getattr(activity, f) == row[f] for f in _IMPORTED_FIELDS) and activity.risk_factor == row["risk_factor"]
    if same and row["indicator"]:
        indicator = activity.indicators.filter(name=row["indicator"]).first()
        same = indicator is not None and (indicator.unit, indicator.baseline, indicator.target) == (
            row["unit"],
            row["baseline"],
            row["target"],
        )
    if same:
        return None
    return _("«%(a)s»: %(reason)s") % {"a": row["activity"], "reason": frozen_reason(activity)}


# --- Indicator actuals (the assessment app's entry point) ---------------------------------


def indicator_set_actual_from_analysis(indicator: Indicator, value, period) -> IndicatorActual | None:
    """Record an actual value computed by the results analysis for a linked indicator.

    ``indicator``: an Indicator with ``source_procedure``/``source_subject``/``source_grade``/
    ``source_metric`` describing the assessment figure; ``value``: the figure (number);
    ``period``: a ``datetime.date`` (e.g. the date of the procedure) or an academic year
    (int, 2026 = «2026/2027», taken as its last day).  The value is stored for the roadmap's
    reporting period containing that date, marked as coming from the analysis.  Returns the
    stored IndicatorActual, or None when the date falls outside the roadmap's periods or the
    report for that period is already approved (an approved report is frozen).  Idempotent:
    calling it again with a new value updates the same period."""
    if isinstance(period, int):
        day = datetime.date(period + 1, 8, 31)
    else:
        day = period
    roadmap = indicator.activity.task.goal.roadmap
    target = next((p for p in roadmap_periods(roadmap) if p.start <= day <= p.end), None)
    if target is None:
        return None
    if ProgressReport.objects.filter(roadmap=roadmap, period_start=target.start, status=ReportStatus.APPROVED).exists():
        return None
    actual, _created = IndicatorActual.objects.update_or_create(
        indicator=indicator,
        period_start=target.start,
        defaults={"period_end": target.end, "value": Decimal(str(value)), "source": "analysis"},
    )
    return actual


# --- Progress reports ---------------------------------------------------------------------


class StaleReport(Exception):
    """The report was changed by someone else since the form was opened."""


def _log(report: ProgressReport, old: str, user, comment: str = "") -> None:
    ReportTransition.objects.create(report=report, from_status=old, to_status=report.status, user=user, comment=comment)


def _activities_in_period(roadmap: Roadmap, start, end):
    return Activity.objects.filter(task__goal__roadmap=roadmap).exclude(start_date__gt=end).exclude(due_date__lt=start)


def progress_report_create(user, roadmap: Roadmap, period_start: datetime.date) -> ProgressReport:
    _require(may_fill_roadmap(user, roadmap))
    period = next((p for p in roadmap_periods(roadmap) if p.start == period_start), None)
    if period is None:
        raise ValidationError(_("There is no such reporting period in this roadmap."))
    with transaction.atomic():
        try:
            report = ProgressReport.objects.create(
                roadmap=roadmap,
                period_start=period.start,
                period_end=period.end,
                due_date=period.due_date,
            )
        except IntegrityError:
            raise ValidationError(_("A report for this period already exists.")) from None
        progress_report_sync_entries(report)
        _log(report, ReportStatus.DRAFT, user)
    return report


def progress_report_sync_entries(report: ProgressReport) -> None:
    """Add entries for activities of the period that appeared in the roadmap since."""
    if not report.is_editable:
        return
    have = set(report.entries.values_list("activity_id", flat=True))
    ReportEntry.objects.bulk_create(
        [
            ReportEntry(report=report, activity=a, status=a.progress_status)
            for a in _activities_in_period(report.roadmap, report.period_start, report.period_end)
            if a.pk not in have
        ]
    )


def progress_report_save(user, report: ProgressReport, version: int, entries: dict, files: dict | None = None):
    """Save the school's part of a report in one transaction, if nobody changed it since
    ``version`` (optimistic locking): ``entries`` maps entry id → {status, cancel_reason,
    comment, evidence_link, actuals: {indicator id: Decimal|None}}; ``files`` maps entry id →
    a list of validated uploads.  Raises StaleReport on a version conflict."""
    _require(may_fill_report(user, report))
    if not report.is_editable:
        raise ValidationError(_("This report is no longer editable."))
    files = files or {}
    with transaction.atomic():
        updated = ProgressReport.objects.filter(
            pk=report.pk, version=version, status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED]
        ).update(version=F("version") + 1)
        if not updated:
            raise StaleReport
        by_id = {e.pk: e for e in report.entries.select_related("activity")}
        for entry_id, data in entries.items():
            entry = by_id.get(entry_id)
            if entry is None:
                continue
            entry.status = data["status"]
            entry.cancel_reason = data.get("cancel_reason", "") if data["status"] == ActivityStatus.CANCELLED else ""
            entry.comment = data.get("comment", "")
            entry.evidence_link = data.get("evidence_link", "")
            entry.save(update_fields=["status", "cancel_reason", "comment", "evidence_link"])
            for indicator_id, value in data.get("actuals", {}).items():
                if value is None:
                    IndicatorActual.objects.filter(
                        indicator_id=indicator_id,
                        indicator__activity=entry.activity,
                        period_start=report.period_start,
                        source="manual",
                    ).delete()
                elif Indicator.objects.filter(pk=indicator_id, activity=entry.activity).exists():
                    IndicatorActual.objects.update_or_create(
                        indicator_id=indicator_id,
                        period_start=report.period_start,
                        defaults={"period_end": report.period_end, "value": value, "source": "manual"},
                    )
            for upload in files.get(entry_id, []):
                Evidence.objects.create(entry=entry, file=upload, uploaded_by=user)
    report.refresh_from_db()
    return report


def progress_report_missing(report: ProgressReport) -> list[str]:
    """Everything the school still has to fill before submitting, all at once."""
    doc = report_document(report)
    missing = []
    for a in iter_document_activities(doc):
        if a["status"] == ActivityStatus.CANCELLED:
            if not a["cancel_reason"].strip():
                missing.append(_("«%(a)s»: give the reason for cancelling.") % {"a": a["title"]})
            continue
        if a["status"] == ActivityStatus.NOT_STARTED:
            continue
        for i in a["indicators"]:
            if i["actual"] is None:
                missing.append(
                    _("«%(a)s»: no actual value of the indicator «%(i)s».") % {"a": a["title"], "i": i["name"]}
                )
        if a["status"] == ActivityStatus.DONE and not (a["evidence"] or a["evidence_link"] or a["comment"].strip()):
            missing.append(_("«%(a)s»: the activity is done but has no evidence or comment.") % {"a": a["title"]})
    return missing


def _transition(report: ProgressReport, allowed_from: tuple, new: str, user, comment: str = "") -> ProgressReport:
    """Move the report by compare-and-set, so two people acting at once cannot both win."""
    old = report.status
    if old not in allowed_from:
        raise ValidationError(
            _("The report is «%(status)s»; this action is not possible now.") % {"status": ReportStatus(old).label}
        )
    now = timezone.now()
    extra = {}
    if new == ReportStatus.SUBMITTED:
        extra["submitted_at"] = now
    if new == ReportStatus.APPROVED:
        extra["approved_at"] = now
    if not ProgressReport.objects.filter(pk=report.pk, status=old).update(
        status=new, version=F("version") + 1, **extra
    ):
        raise ValidationError(_("The report has just been changed by someone else. Reload the page."))
    report.refresh_from_db()
    _log(report, old, user, comment)
    return report


def progress_report_submit(user, report: ProgressReport) -> ProgressReport:
    _require(may_fill_report(user, report))
    missing = progress_report_missing(report)
    if missing:
        raise ValidationError(missing)
    with transaction.atomic():
        report = _transition(report, (ReportStatus.DRAFT, ReportStatus.RETURNED), ReportStatus.SUBMITTED, user)
        for entry in report.entries.all():
            Activity.objects.filter(pk=entry.activity_id).update(progress_status=entry.status)
    return report


def progress_report_comment(user, report: ProgressReport, comments: dict[int, str]) -> None:
    """The curator's comment per activity (entry id → text) while reviewing."""
    _require(may_review_report(user, report))
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Comments can be written only while the report is under review."))
    with transaction.atomic():
        for entry in report.entries.filter(pk__in=comments.keys()):
            entry.curator_comment = comments[entry.pk].strip()
            entry.save(update_fields=["curator_comment"])


def progress_report_accept(user, report: ProgressReport, comments: dict | None = None) -> ProgressReport:
    _require(may_review_report(user, report))
    with transaction.atomic():
        if comments:
            progress_report_comment(user, report, comments)
        return _transition(report, (ReportStatus.SUBMITTED,), ReportStatus.ACCEPTED, user)


def progress_report_return(user, report: ProgressReport, reason: str, comments: dict | None = None) -> ProgressReport:
    """The curator returns a submitted report, or the coordinator an accepted one, with reasons."""
    curator = may_review_report(user, report)
    coordinator = may_approve_report(user, report)
    _require(curator or coordinator)
    if not reason.strip():
        raise ValidationError({"reason": _("Write the reasons for returning the report.")})
    allowed = (ReportStatus.SUBMITTED,) if curator else ()
    if coordinator:
        allowed += (ReportStatus.ACCEPTED,) if report.roadmap.school_id else (ReportStatus.SUBMITTED,)
    with transaction.atomic():
        if comments and curator and report.status == ReportStatus.SUBMITTED:
            progress_report_comment(user, report, comments)
        report = _transition(report, allowed, ReportStatus.RETURNED, user, reason.strip())
        report.return_reason = reason.strip()
        report.save(update_fields=["return_reason"])
    return report


def progress_report_approve(user, report: ProgressReport) -> ProgressReport:
    """The coordinator approves a report the curator accepted (a municipal roadmap's report,
    having no curator, straight after submission).  The report is frozen: its document is
    stored as a snapshot and shown from it from now on."""
    _require(may_approve_report(user, report))
    allowed = (ReportStatus.ACCEPTED,) if report.roadmap.school_id else (ReportStatus.SUBMITTED,)
    if report.status == ReportStatus.SUBMITTED and report.roadmap.school_id:
        raise ValidationError(_("The curator has not accepted this report yet."))
    with transaction.atomic():
        snapshot = report_document(report)
        report = _transition(report, allowed, ReportStatus.APPROVED, user)
        report.snapshot = snapshot
        report.save(update_fields=["snapshot"])
    return report


# --- Reminders ----------------------------------------------------------------------------

REMIND_DAYS_BEFORE = 7


def reminders_send(today: datetime.date | None = None) -> int:
    """E-mail school administrators a week before a report is due and once when it is
    overdue, each in the user's language.  A reminder is recorded before it is sent, so a
    second run (or a retry) sends nothing twice.  Returns the number of e-mails sent."""
    from accounts.models import User
    from core.years import academic_year_of

    today = today or timezone.localdate()
    sent = 0
    roadmaps = Roadmap.objects.filter(
        school__isnull=False, year__gte=academic_year_of(today) - 1, start_date__lte=today
    ).select_related("school")
    for roadmap in roadmaps:
        for period in roadmap_periods(roadmap):
            if period.end > today + datetime.timedelta(days=REMIND_DAYS_BEFORE + 31):
                continue
            if today > period.due_date:
                kind = ReminderKind.OVERDUE
            elif (period.due_date - today).days <= REMIND_DAYS_BEFORE:
                kind = ReminderKind.DUE_SOON
            else:
                continue
            done = ProgressReport.objects.filter(roadmap=roadmap, period_start=period.start).exclude(
                status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED]
            )
            if done.exists():
                continue
            admins = User.objects.filter(role=Role.SCHOOL_ADMIN, school_id=roadmap.school_id, is_active=True).exclude(
                email=""
            )
            for admin in admins:
                try:
                    with transaction.atomic():
                        # The record and the e-mail stand or fall together: a rerun skips it,
                        # a failed send leaves no record and is retried next time.
                        ReminderSent.objects.create(roadmap=roadmap, period_start=period.start, kind=kind, user=admin)
                        with translation.override(admin.language or "ru"):
                            context = {"user": admin, "roadmap": roadmap, "period": period, "kind": kind}
                            subject = render_to_string("roadmaps/email/reminder_subject.txt", context).strip()
                            body = render_to_string("roadmaps/email/reminder.txt", context)
                        send_mail(subject, body, None, [admin.email])
                except IntegrityError:
                    continue
                sent += 1
    return sent


__all__ = [
    "StaleReport",
    "activity_date_errors",
    "document_approve",
    "document_new_version",
    "document_propose_anti_risk",
    "document_return",
    "document_submit",
    "indicator_set_actual_from_analysis",
    "progress_report_accept",
    "progress_report_approve",
    "progress_report_comment",
    "progress_report_create",
    "progress_report_missing",
    "progress_report_return",
    "progress_report_save",
    "progress_report_submit",
    "progress_report_sync_entries",
    "reminders_send",
    "roadmap_approve",
    "roadmap_import_xlsx",
    "roadmap_node_delete",
    "roadmap_return",
    "roadmap_submit",
]
