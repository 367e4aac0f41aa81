"""The roadmaps app's documents: the progress report of a period as an official PDF and the
sections of the school report, the municipal monitoring report and the information note
(see core.dashboard and reports.documents)."""

from __future__ import annotations

import datetime

from django.utils.translation import pgettext

from core.dashboard import Panel
from roadmaps import selectors
from roadmaps.models import ActivityStatus, ProgressReport, ReportStatus, Roadmap

# --- The progress report of a period ------------------------------------------------------


def _status_label(value: str) -> str:
    try:
        return str(ActivityStatus(value).label)
    except ValueError:
        return value


def progress_report_context(report: ProgressReport) -> dict:
    """Everything the PDF shows: the approved snapshot (or the live data of a report not yet
    approved, marked as a draft), the curator's review and the approval."""
    doc = selectors.report_document(report)
    for activity in selectors.iter_document_activities(doc):
        activity["status_label"] = _status_label(activity["status"])
        activity["due"] = datetime.date.fromisoformat(activity["due_date"]) if activity.get("due_date") else None
    transitions = list(report.transitions.select_related("user").order_by("at", "id"))
    review = next(
        (t for t in reversed(transitions) if t.to_status in (ReportStatus.ACCEPTED, ReportStatus.RETURNED)), None
    )
    approval = next((t for t in reversed(transitions) if t.to_status == ReportStatus.APPROVED), None)
    submission = next((t for t in reversed(transitions) if t.to_status == ReportStatus.SUBMITTED), None)
    return {
        "report": report,
        "document": doc,
        "is_final": report.status == ReportStatus.APPROVED and bool(report.snapshot),
        "status_label": str(ReportStatus(report.status).label),
        "review": review,
        "approval": approval,
        "submission": submission,
    }


def progress_report_pdf(report: ProgressReport) -> tuple[bytes, str]:
    """The report of a period as an official PDF and its file name."""
    from reports.pdf import render_pdf

    ctx = progress_report_context(report)
    roadmap = report.roadmap
    municipality = roadmap.school.municipality if roadmap.school_id else roadmap.owner_municipality
    title = pgettext("roadmaps pdf", "Report on the roadmap progress for %(period)s") % {
        "period": ctx["document"]["period"]["label"]
    }
    number = f"{report.pk}-{report.version}" if ctx["is_final"] else pgettext("roadmaps pdf", "draft")
    doc_date = report.approved_at.date() if ctx["is_final"] and report.approved_at else None
    # A school's own document carries the school's header and its director's signature; a
    # municipality's roadmap, the authority's and its head's (reports.requisites).
    from django.utils import timezone

    from reports.requisites import municipal_requisites, school_requisites

    requisites = (
        school_requisites(roadmap.school)
        if roadmap.school_id
        else municipal_requisites(municipality, doc_date or timezone.localdate())
    )
    pdf = render_pdf(
        "roadmaps/pdf/progress_report.html",
        {"ctx": ctx, "requisites": requisites},
        municipality=requisites,
        title=title,
        number=number,
        doc_date=doc_date,
    )
    return pdf, f"roadmap-report-{report.pk}-{report.period_start.isoformat()}"


# --- Sections of the reports --------------------------------------------------------------


def _school_roadmaps(year: int, **filters):
    return selectors.roadmaps_with_progress(
        Roadmap.objects.filter(year=year, school__isnull=False, **filters)
        .select_related("school__municipality")
        .order_by("school__sort_name", "title")
    )


def _totals(roadmaps) -> dict:
    planned = sum(r.n_activities - r.n_cancelled for r in roadmaps)
    done = sum(r.n_done for r in roadmaps)
    return {
        "activities": sum(r.n_activities for r in roadmaps),
        "planned": planned,
        "done": done,
        "overdue": sum(r.n_overdue for r in roadmaps),
        "completion": done / planned if planned else None,
    }


def school_report_sections(school, year: int) -> list[Panel]:
    roadmaps = list(_school_roadmaps(year, school=school))
    if not roadmaps:
        return [Panel("roadmaps/pdf/school_progress.html", {"year": year, "rows": [], "totals": None}, order=40)]
    states = {s["roadmap"].pk: s for s in selectors.report_states(roadmaps)}
    last_reports = {}
    for rep in ProgressReport.objects.filter(roadmap__in=roadmaps).order_by("roadmap_id", "-period_start"):
        last_reports.setdefault(rep.roadmap_id, rep)
    rows = []
    for r in roadmaps:
        rep = last_reports.get(r.pk)
        if rep is not None:
            rep.roadmap = r
        rows.append(
            {
                "roadmap": r,
                "completion": selectors.completion_share(r),
                "last_report": rep,
                "late": bool(states.get(r.pk, {}).get("late")),
            }
        )
    off_track = selectors.off_track_indicators(Roadmap.objects.filter(pk__in=[r.pk for r in roadmaps]))
    return [
        Panel(
            "roadmaps/pdf/school_progress.html",
            {"year": year, "rows": rows, "totals": _totals(roadmaps), "off_track": off_track},
            order=40,
        )
    ]


def _municipal_data(municipality, year: int) -> dict:
    schools_total = municipality.schools.filter(is_active=True).count()
    roadmaps = list(_school_roadmaps(year, school__municipality=municipality))
    states = selectors.report_states(roadmaps)
    by_roadmap = {s["roadmap"].pk: s for s in states}
    reports = ProgressReport.objects.filter(roadmap__in=roadmaps)
    rows = []
    for r in roadmaps:
        state = by_roadmap.get(r.pk)
        rows.append({"roadmap": r, "completion": selectors.completion_share(r), "state": state})
    late = [s for s in states if s["late"]]
    return {
        "year": year,
        "schools_total": schools_total,
        "schools_with_roadmaps": len({r.school_id for r in roadmaps}),
        "rows": rows,
        "totals": _totals(roadmaps),
        "missing": [s for s in states if s["missing"]],
        "late": late,
        "late_schools": sorted({s["roadmap"].school.short_name for s in late}),
        # Waiting is a state of now, whatever the roadmap's year: the same figures as the home
        # panel and the approval queue (roadmaps.selectors).
        "waiting_review": list(
            selectors.reports_pending_review(selectors.municipality_reports(municipality)).select_related(
                "roadmap__school"
            )
        ),
        "waiting": list(
            selectors.reports_pending_approval(selectors.municipality_reports(municipality)).select_related(
                "roadmap__school", "roadmap__owner_municipality"
            )
        ),
        "reports_total": reports.count(),
        "reports_approved": reports.filter(status=ReportStatus.APPROVED).count(),
    }


def municipal_report_sections(municipality, year: int) -> list[Panel]:
    from core.charts import bar_chart

    data = _municipal_data(municipality, year)
    rows = [row for row in data["rows"] if row["completion"] is not None]
    data["chart"] = (
        bar_chart(
            [row["roadmap"].school.short_name for row in rows],
            [round(row["completion"] * 100, 1) for row in rows],
            title=pgettext("roadmaps pdf", "Roadmap completion by school, %"),
            max_value=100,
            unit="%",
        )
        if rows
        else ""
    )
    return [Panel("roadmaps/pdf/municipal_progress.html", data, order=40)]


def info_note_sections(municipality, year: int) -> list[Panel]:
    return [Panel("roadmaps/pdf/info_note.html", _municipal_data(municipality, year), order=40)]
