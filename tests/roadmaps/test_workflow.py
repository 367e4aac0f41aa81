"""Progress report workflow: every transition by the one who may and refused to the others;
missing actuals; the frozen snapshot; optimistic locking."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from roadmaps import services
from roadmaps.models import ActivityStatus, ReportStatus, ReportTransition
from roadmaps.selectors import report_document

from .conftest import fill, make_roadmap, to_state


def test_submit_by_school_admin_lists_every_missing_actual_at_once(plan, world):
    report = fill(plan.report, world.school_admin, value=None)
    with pytest.raises(ValidationError) as exc:
        services.progress_report_submit(user=world.school_admin, report=report)
    messages = exc.value.messages
    assert len(messages) == 2
    assert (
        "«Мероприятие 1 (Дорожная карта)»: не указано фактическое значение показателя «Доля педагогов 1»." in messages
    )
    assert (
        "«Мероприятие 2 (Дорожная карта)»: не указано фактическое значение показателя «Доля педагогов 2»." in messages
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_cancelled_needs_reason_and_done_needs_evidence_or_comment(plan, world):
    entries = {}
    first, second = plan.report.entries.order_by("pk")
    entries[first.pk] = {"status": ActivityStatus.CANCELLED, "cancel_reason": "", "actuals": {}}
    entries[second.pk] = {
        "status": ActivityStatus.DONE,
        "comment": "",
        "actuals": {second.activity.indicators.get().pk: Decimal("60")},
    }
    report = services.progress_report_save(
        user=world.school_admin, report=plan.report, version=plan.report.version, entries=entries
    )
    with pytest.raises(ValidationError) as exc:
        services.progress_report_submit(user=world.school_admin, report=report)
    assert exc.value.messages == [
        "«Мероприятие 1 (Дорожная карта)»: укажите причину отмены.",
        "«Мероприятие 2 (Дорожная карта)»: мероприятие выполнено, но нет подтверждения или комментария.",
    ]


def test_full_workflow_by_the_right_people_and_log(plan, world):
    report = to_state(plan.report, world, "approved")
    assert report.status == ReportStatus.APPROVED
    log = list(ReportTransition.objects.filter(report=report).values_list("to_status", "user__username"))
    assert log == [
        ("draft", world.school_admin.username),
        ("submitted", world.school_admin.username),
        ("accepted", world.curator.username),
        ("approved", world.coordinator.username),
    ]
    # Activity progress follows the submitted report.
    assert set(plan.roadmap.goals.get().tasks.get().activities.values_list("progress_status", flat=True)) == {
        ActivityStatus.IN_PROGRESS
    }


@pytest.mark.parametrize("who", ["curator", "coordinator", "school_admin2", "outsider", "methodist"])
def test_only_the_school_fills_and_submits(plan, world, who):
    user = getattr(world, who)
    report = fill(plan.report, world.school_admin)
    if who == "coordinator":
        # A coordinator has the school's edit scope (may help fill), but curators never do.
        services.progress_report_submit(user=user, report=report)
        return
    with pytest.raises(PermissionDenied):
        fill(report, user)
    with pytest.raises(PermissionDenied):
        services.progress_report_submit(user=user, report=report)


def test_curator_cannot_edit_the_schools_actuals(plan, world):
    report = to_state(plan.report, world, "submitted")
    with pytest.raises(PermissionDenied):
        services.progress_report_save(user=world.curator, report=report, version=report.version, entries={})
    before = report_document(report)
    services.progress_report_comment(
        user=world.curator, report=report, comments={report.entries.first().pk: "Уточните источник"}
    )
    after = report_document(report)
    assert [i["actual"] for a in after["goals"][0]["tasks"][0]["activities"] for i in a["indicators"]] == [
        i["actual"] for a in before["goals"][0]["tasks"][0]["activities"] for i in a["indicators"]
    ]


@pytest.mark.parametrize("who", ["school_admin", "coordinator", "school_admin2", "methodist"])
def test_only_the_assigned_curator_accepts(plan, world, who):
    report = to_state(plan.report, world, "submitted")
    with pytest.raises(PermissionDenied):
        services.progress_report_accept(user=getattr(world, who), report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_curator_returns_with_reasons_and_school_resubmits(plan, world):
    report = to_state(plan.report, world, "submitted")
    entry = report.entries.order_by("pk").first()
    with pytest.raises(ValidationError) as exc:
        services.progress_report_return(user=world.curator, report=report, reason="  ")
    assert exc.value.message_dict == {"reason": ["Напишите причины возврата отчёта."]}
    report = services.progress_report_return(
        user=world.curator, report=report, reason="Нет подтверждений", comments={entry.pk: "Приложите протокол"}
    )
    assert report.status == ReportStatus.RETURNED
    assert report.return_reason == "Нет подтверждений"
    entry.refresh_from_db()
    assert entry.curator_comment == "Приложите протокол"
    report = fill(report, world.school_admin, value=Decimal("40"))
    report = services.progress_report_submit(user=world.school_admin, report=report)
    assert report.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize("who", ["school_admin", "curator", "coordinator_a2", "methodist", "regional"])
def test_only_a_coordinator_approves(plan, world, who):
    """Approval stays municipal: the regional coordinator reads the report but approves nothing."""
    report = to_state(plan.report, world, "accepted")
    with pytest.raises(PermissionDenied):
        services.progress_report_approve(user=getattr(world, who), report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


def test_coordinator_approves_only_after_curator_acceptance(plan, world):
    report = to_state(plan.report, world, "submitted")
    with pytest.raises(ValidationError) as exc:
        services.progress_report_approve(user=world.coordinator, report=report)
    assert exc.value.messages == ["Куратор ещё не принял этот отчёт."]
    report = services.progress_report_accept(user=world.curator, report=report)
    assert services.progress_report_approve(user=world.coordinator, report=report).status == ReportStatus.APPROVED


def test_coordinator_may_return_an_accepted_report(plan, world):
    report = to_state(plan.report, world, "accepted")
    report = services.progress_report_return(
        user=world.coordinator, report=report, reason="Цифры не совпадают с мониторингом"
    )
    assert report.status == ReportStatus.RETURNED


def test_nobody_edits_an_approved_report(plan, world):
    report = to_state(plan.report, world, "approved")
    for user in (world.school_admin, world.coordinator, world.superuser):
        with pytest.raises(ValidationError):
            services.progress_report_save(user=user, report=report, version=report.version, entries={})
        with pytest.raises(ValidationError):
            services.progress_report_submit(user=user, report=report)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.progress_report_return(user=world.coordinator, report=report, reason="Поздно")
    with pytest.raises((ValidationError, PermissionDenied)):
        services.progress_report_return(user=world.curator, report=report, reason="Поздно")


def test_approved_report_is_frozen_when_the_roadmap_changes(plan, world):
    report = to_state(plan.report, world, "approved")
    frozen = report_document(report)
    activity = plan.roadmap.goals.get().tasks.get().activities.order_by("pk").first()
    activity.title = "Переименованное мероприятие"
    activity.save()
    indicator = activity.indicators.get()
    indicator.target = 99
    indicator.save()
    indicator.actuals.update(value=1)
    # The analysis cannot write into an approved period either.
    assert (
        services.indicator_set_actual_from_analysis(indicator=indicator, value=77, period=report.period_start) is None
    )
    report.refresh_from_db()
    doc = report_document(report)
    assert doc == frozen
    first = doc["goals"][0]["tasks"][0]["activities"][0]
    assert first["title"] == "Мероприятие 1 (Дорожная карта)"
    assert first["indicators"][0]["target"] == 60.0
    assert first["indicators"][0]["actual"] == 35.0


def test_stale_save_is_refused(plan, world):
    report = plan.report
    stale_version = report.version
    fill(report, world.school_admin)
    with pytest.raises(services.StaleReport):
        services.progress_report_save(user=world.school_admin, report=report, version=stale_version, entries={})


def test_municipal_roadmap_report_is_approved_by_the_coordinator(world):
    roadmap = make_roadmap(municipality=world.a1, title="Муниципальная")
    report = services.progress_report_create(user=world.coordinator, roadmap=roadmap, period_start=roadmap.start_date)
    report = fill(report, world.coordinator)
    report = services.progress_report_submit(user=world.coordinator, report=report)
    with pytest.raises(PermissionDenied):
        services.progress_report_accept(user=world.curator, report=report)
    with pytest.raises(PermissionDenied):
        services.progress_report_approve(user=world.coordinator_a2, report=report)
    assert services.progress_report_approve(user=world.coordinator, report=report).status == ReportStatus.APPROVED


def test_indicator_set_actual_from_analysis(plan, world):
    indicator = plan.roadmap.goals.get().tasks.get().activities.first().indicators.get()
    actual = services.indicator_set_actual_from_analysis(
        indicator=indicator, value=47.5, period=plan.roadmap.start_date
    )
    assert actual.value == Decimal("47.5") and actual.source == "analysis"
    assert actual.period_start == plan.report.period_start
    # Again: the same period is updated, not duplicated.
    services.indicator_set_actual_from_analysis(indicator=indicator, value=48, period=plan.roadmap.start_date)
    assert indicator.actuals.count() == 1 and indicator.actuals.get().value == 48
    # An academic year means its last day: the second half-year.
    second = services.indicator_set_actual_from_analysis(indicator=indicator, value=50, period=plan.roadmap.year)
    assert second.period_end == plan.roadmap.end_date
    assert (
        services.indicator_set_actual_from_analysis(indicator=indicator, value=50, period=plan.roadmap.year + 3) is None
    )


def test_documents_workflow_and_anti_risk_proposals(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.years import current_academic_year
    from roadmaps.models import DocumentStatus, SchoolDocument
    from schools.models import RiskAssessment, RiskFactor, RiskLevel

    year = current_academic_year()
    high, medium, low = RiskFactor.objects.order_by("position")[:3]
    for factor, level in ((high, RiskLevel.HIGH), (medium, RiskLevel.MEDIUM), (low, RiskLevel.LOW)):
        RiskAssessment.objects.create(school=world.a1_school1, year=year, factor=factor, level=level)
    with pytest.raises(PermissionDenied):
        services.document_propose_anti_risk(user=world.curator, school=world.a1_school1, year=year)
    docs = services.document_propose_anti_risk(user=world.school_admin, school=world.a1_school1, year=year)
    assert {d.risk_factor for d in docs} == {high, medium}
    assert services.document_propose_anti_risk(user=world.school_admin, school=world.a1_school1, year=year) == []
    doc = docs[0]
    with pytest.raises(ValidationError) as exc:
        services.document_submit(user=world.school_admin, doc=doc)
    assert exc.value.messages == ["Перед отправкой приложите файл документа."]
    doc = services.document_new_version(
        user=world.school_admin, doc=doc, file=SimpleUploadedFile("programme.pdf", b"%PDF-1.4 test", "application/pdf")
    )
    assert doc.version == 1
    services.document_submit(user=world.school_admin, doc=doc)
    with pytest.raises(PermissionDenied):
        services.document_approve(user=world.school_admin, doc=doc)
    services.document_return(user=world.curator, doc=doc, comment="Добавьте показатели")
    doc = services.document_new_version(
        user=world.school_admin, doc=doc, file=SimpleUploadedFile("programme2.pdf", b"%PDF-1.4 v2", "application/pdf")
    )
    assert doc.version == 2 and doc.status == DocumentStatus.RETURNED
    services.document_submit(user=world.school_admin, doc=doc)
    services.document_approve(user=world.curator, doc=doc, comment="Согласовано")
    assert SchoolDocument.objects.get(pk=doc.pk).status == DocumentStatus.APPROVED
