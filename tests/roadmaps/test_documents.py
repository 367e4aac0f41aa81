"""The progress report of a period as an official PDF (the approved snapshot, or the live data
marked as a draft), its page link and API action with the report's own scope, and the
roadmaps sections of the school report, the municipal report and the information note —
all rendered to PDF and read back with pdftotext."""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.years import current_academic_year
from reports.documents import info_note, municipal_report, school_report
from reports.services import document_render
from roadmaps import documents, services
from roadmaps.models import Activity, Indicator
from tests.roadmaps.conftest import fill, make_roadmap, to_state

pytestmark = pytest.mark.django_db
PAST = current_academic_year() - 1


def text_of(pdf: bytes, tmp_path) -> str:
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def approve(report, world, value=Decimal("47.5"), status="done"):
    report = fill(report, world.school_admin, status=status, value=value)
    report = services.progress_report_submit(world.school_admin, report)
    report = services.progress_report_accept(world.curator, report)
    return services.progress_report_approve(world.coordinator, report)


# --- The progress report PDF --------------------------------------------------------------


def test_approved_report_pdf_shows_the_snapshot(world, plan, tmp_path):
    report = approve(plan.report, world)
    pdf, filename = documents.progress_report_pdf(report)
    text = text_of(pdf, tmp_path)
    assert "Отчёт о ходе реализации дорожной карты" in text
    assert world.a1_school1.short_name in text
    assert world.a1_school1.name in text
    assert "Мероприятие 1 (Дорожная карта)" in text
    assert "Доля педагогов 1" in text
    assert "47,50" in text and "60,00" in text and "20,00" in text
    assert "Выполнено" in text
    assert "Проведено" in text  # the school's comment
    assert "принят" in text and "утверждён" in text  # the curator's review and the approval
    assert world.coordinator.full_name in text
    assert "ПРОЕКТ" not in text
    assert filename.startswith(f"roadmap-report-{report.pk}-")

    # The roadmap changes after approval: the PDF still shows the approved text and values.
    activity = Activity.objects.get(title="Мероприятие 1 (Дорожная карта)")
    activity.title = "Переименованное мероприятие"
    activity.save()
    Indicator.objects.filter(activity__task__goal__roadmap=plan.roadmap).update(target=99)
    report.refresh_from_db()
    text = text_of(documents.progress_report_pdf(report)[0], tmp_path)
    assert "Мероприятие 1 (Дорожная карта)" in text
    assert "Переименованное мероприятие" not in text
    assert "99,00" not in text and "60,00" in text


def test_signature_block_names_the_signer_of_the_roadmap_owner(world, plan, tmp_path):
    world.a1_school1.director = "Смирнова Елена Петровна"
    world.a1_school1.save()
    pdf = documents.progress_report_pdf(plan.report)[0]
    text = text_of(pdf, tmp_path)
    # the school's own document: the school's header and its director's signature (issue 14.6)
    first = [line.strip() for line in text.splitlines() if line.strip()]
    assert first[0] == world.a1_school1.name.split("«")[0].strip() or world.a1_school1.short_name in first[0]
    assert "Управление образования (Округ А1)" not in text
    assert "Руководитель образовательной организации" in text
    assert "Е.П. Смирнова" in text
    from tests.demo.documents import words_off_the_page

    assert not words_off_the_page(pdf, left_mm=20, right_mm=10), "no word crosses the margins"
    roadmap = make_roadmap(municipality=world.a1, title="Муниципальная карта")
    report = services.progress_report_create(world.coordinator, roadmap, roadmap.start_date)
    text = text_of(documents.progress_report_pdf(report)[0], tmp_path)
    assert "Начальник Управления образования" in text and "И.П. Руководова" in text
    assert "Управление образования (Округ А1)" in text
    assert "Руководитель образовательной организации" not in text and "Смирнова" not in text


def test_report_not_approved_is_marked_draft(world, plan, tmp_path):
    report = to_state(plan.report, world, "submitted")
    text = text_of(documents.progress_report_pdf(report)[0], tmp_path)
    assert "ПРОЕКТ" in text
    assert "Мероприятие 2 (Дорожная карта)" in text
    assert "35,00" in text
    assert "ещё не утверждён" in text


def test_pdf_download_page_and_api_scoped_like_the_report(world, plan, login, api):
    report = approve(plan.report, world)
    url = reverse("roadmaps:report-pdf", args=[report.pk])
    api_url = f"/api/v1/progress-reports/{report.pk}/pdf/"
    for user in (world.school_admin, world.curator, world.coordinator, world.regional):
        response = login(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        response = api(user).get(api_url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
    for user in (world.school_admin2, world.outsider, world.coordinator_a2, world.coordinator_b1):
        assert login(user).get(url).status_code == 404, user
        assert api(user).get(api_url).status_code == 404, user
    assert api().get(api_url).status_code in (401, 403)

    page = login(world.school_admin).get(reverse("roadmaps:report-detail", args=[report.pk]))
    assert url in page.content.decode()


# --- Sections of the reports --------------------------------------------------------------


@pytest.fixture
def past_year(world):
    """Last academic year: СШ № 1 reported its one half-year (approved, both activities done,
    indicator actual 47.5 short of the target 60); СШ № 2 did nothing of its 3 activities and
    sent no report (late)."""
    one = make_roadmap(world.a1_school1, year=PAST, title="Карта первой школы")
    one.end_date = datetime.date(PAST, 12, 31)
    one.save()
    report = services.progress_report_create(world.school_admin, one, one.start_date)
    report = approve(report, world)
    two = make_roadmap(world.a1_school2, year=PAST, title="Карта второй школы", n_activities=3)
    return one, two, report


def test_school_report_section(world, past_year, tmp_path):
    text = text_of(document_render(school_report(world.a1_school1, PAST), "pdf")[0], tmp_path)
    assert "Реализация дорожной карты" in text
    assert "Карта первой школы" in text
    assert "100,0 %" in text
    assert "Утверждён" in text  # the last report's state
    assert "Показатели, отстающие от плана" in text
    assert "Доля педагогов 1" in text and "47,50" in text
    assert "Карта второй школы" not in text


def test_municipal_report_and_info_note_sections(world, past_year, tmp_path):
    text = text_of(document_render(municipal_report(world.a1, PAST), "pdf")[0], tmp_path)
    assert "Дорожные карты школ" in text
    assert "Карта первой школы" in text and "Карта второй школы" in text
    assert "Запланировано мероприятий: 5, выполнено: 2 (40,0 %), просрочено: 3." in text
    assert "Опаздывают" in text
    assert world.a1_school2.short_name in text

    note = text_of(document_render(info_note(world.a1, PAST), "pdf")[0], tmp_path)
    assert "Школ, работающих по дорожной карте в 2" in note and ": 2 (всего действующих школ муниципалитета: " in note
    assert "выполнено: 2 (40,0 %), просрочено: 3." in note
    assert "Отчётов о ходе реализации: 1, из них утверждено: 1" in note
    assert f"Опаздывают с отчётами: {world.a1_school2.short_name}." in note


def test_sections_queries_do_not_grow_with_schools(world, past_year):
    def count(municipality):
        with CaptureQueriesContext(connection) as ctx:
            documents.municipal_report_sections(municipality, PAST)
            documents.info_note_sections(municipality, PAST)
        return len(ctx.captured_queries)

    before = count(world.a1)
    for school in (world.a1_curator_school,):
        make_roadmap(school, year=PAST, title="Ещё одна карта", n_activities=4)
    assert count(world.a1) == before

    def count_school(school):
        with CaptureQueriesContext(connection) as ctx:
            documents.school_report_sections(school, PAST)
        return len(ctx.captured_queries)

    before = count_school(world.a1_school2)
    make_roadmap(world.a1_school2, year=PAST, title="Вторая карта", n_activities=5)
    assert count_school(world.a1_school2) == before
