"""Documents rendered and read back: PDF text (pdftotext), pages, PNG; .docx; scoping."""

import io
import subprocess

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from core.years import current_academic_year
from reports.models import GeneratedReport, ReportKind, ReportStatus
from schools.models import RiskAssessment, RiskFactor, SchoolStatus, StatusKind
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
YEAR = current_academic_year()


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def listed(world):
    order = OrderFactory(municipality=world.a1, number="48")
    SchoolStatus.objects.create(school=world.a1_school1, kind=StatusKind.LOW_RESULTS, year_from=YEAR - 1, order=order)
    factor = RiskFactor.objects.get(position=2)
    RiskAssessment.objects.create(school=world.a1_school1, year=YEAR, factor=factor, level="high")
    world.a1_school1.students_count = 734
    world.a1_school1.save()
    return world


def request_document(client, kind, subject, fmt="pdf"):
    return client.post(
        reverse("reports:report-create"),
        {
            "kind": kind,
            "school": subject if kind == "school" else "",
            "municipality": subject if kind != "school" else "",
            "year": YEAR,
            "fmt": fmt,
        },
    )


def test_school_report_pdf_reads_back(listed, login, tmp_path):
    c = login(listed.school_admin)
    response = request_document(c, ReportKind.SCHOOL, listed.a1_school1.pk)
    assert response.status_code == 302
    report = GeneratedReport.objects.get()
    assert (report.status, report.requested_by) == (ReportStatus.DONE, listed.school_admin)
    assert report.pages >= 1
    pdf = c.get(response["Location"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(pdf.streaming_content), tmp_path)
    assert "СШ № 1" in text
    assert "734" in text
    assert "Дефицит педагогических кадров" in text
    assert "Низкие образовательные результаты (ШНОР)" in text
    assert f"стр. 1 из {report.pages}" in text
    assert report.checksum in text
    assert "Управление образования (Округ А1)" in text


def test_school_report_renders_to_png(listed, login, tmp_path):
    c = login(listed.coordinator)
    request_document(c, ReportKind.SCHOOL, listed.a1_school1.pk)
    report = GeneratedReport.objects.get()
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(report.file.read())
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 5000


def test_municipal_report_is_queued_and_built(listed, login, tmp_path, django_capture_on_commit_callbacks):
    c = login(listed.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = request_document(c, ReportKind.MUNICIPAL, listed.a1.pk)
    report = GeneratedReport.objects.get()
    assert response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    text = pdf_text(report.file.read(), tmp_path)
    assert "Округ А1" in text and "СШ № 1" in text
    page = c.get(report.get_absolute_url())
    assert "Документ готов" in page.content.decode()


def test_report_build_is_idempotent(listed, login):
    from reports.services import report_build

    c = login(listed.coordinator)
    request_document(c, ReportKind.SCHOOL, listed.a1_school1.pk)
    report = GeneratedReport.objects.get()
    assert report_build(report_id=report.pk) is False
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE


def test_order_docx_lists_the_schools(listed, login):
    from docx import Document

    c = login(listed.coordinator)
    response = request_document(c, ReportKind.ORDER_LOW_RESULTS, listed.a1.pk, fmt="docx")
    assert response.status_code == 302
    docx = c.get(response["Location"])
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    d = Document(io.BytesIO(b"".join(docx.streaming_content)))
    cells = [cell.text for table in d.tables for row in table.rows for cell in row.cells]
    assert listed.a1_school1.name in cells
    assert listed.a1_school2.name not in cells


def test_order_pdf_has_title(listed, login, tmp_path):
    c = login(listed.coordinator)
    response = request_document(c, ReportKind.ORDER_CURATORS, listed.a1.pk)
    text = pdf_text(b"".join(c.get(response["Location"]).streaming_content), tmp_path)
    assert "О назначении кураторов" in text
    assert "ПРИКАЗ" in text


def test_docx_refused_for_reports(listed, login):
    response = request_document(login(listed.coordinator), ReportKind.MUNICIPAL, listed.a1.pk, fmt="docx")
    assert response.status_code == 400
    assert "Только проекты приказов и информационная справка" in response.content.decode()
    assert not GeneratedReport.objects.exists()


@pytest.mark.parametrize(
    ("who", "kind", "subject"),
    [
        ("school_admin", "school", "a1_school2"),
        ("outsider", "school", "a1_school1"),
        ("curator", "municipal", "a1"),
        ("school_admin", "municipal", "a1"),
        ("coordinator_a2", "school", "a1_school1"),
        ("coordinator", "municipal", "b1"),
    ],
)
def test_out_of_scope_requests_are_refused(listed, login, who, kind, subject):
    response = request_document(login(getattr(listed, who)), kind, getattr(listed, subject).pk)
    assert response.status_code == 400
    assert not GeneratedReport.objects.exists()


def test_someone_elses_report_is_404(listed, login):
    request_document(login(listed.coordinator), ReportKind.SCHOOL, listed.a1_school1.pk)
    report = GeneratedReport.objects.get()
    for who in ("school_admin", "regional", "outsider"):
        c = login(getattr(listed, who))
        assert c.get(reverse("reports:report-download", args=[report.pk])).status_code == 404
        assert c.get(report.get_absolute_url()).status_code == 404
        assert c.get(reverse("protected-file", args=[report.file.name])).status_code == 404
    assert login(listed.coordinator).get(reverse("protected-file", args=[report.file.name])).status_code == 200


def test_my_documents_list(listed, login, django_assert_max_num_queries):
    c = login(listed.coordinator)
    request_document(c, ReportKind.SCHOOL, listed.a1_school1.pk)
    request_document(c, ReportKind.SCHOOL, listed.a1_school2.pk)
    with django_assert_max_num_queries(15):
        response = c.get(reverse("reports:report-list"))
    assert len(response.context["table"].rows) == 2
    assert len(login(listed.regional).get(reverse("reports:report-list")).context["table"].rows) == 0


def test_api_pull_municipal_report_with_read_only_token(listed, client, tmp_path, django_capture_on_commit_callbacks):
    _token, key = ApiToken.issue(listed.coordinator, read_only=True)
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/reports/", {"kind": "municipal", "subject": listed.a1.pk, "year": YEAR}, **auth)
    assert response.status_code == 201, response.content
    detail = client.get(f"/api/v1/reports/{response.json()['id']}/", **auth).json()
    assert detail["status"] == "done"
    pdf = client.get(detail["download_url"], **auth)
    assert pdf.status_code == 200
    assert "Округ А1" in pdf_text(b"".join(pdf.streaming_content), tmp_path)
    # A client that asks for the document's type gets it (issue 13.8: was 406) …
    for accept in ("application/pdf", "application/pdf, application/json;q=0.5", "*/*", "application/octet-stream"):
        asked = client.get(detail["download_url"], HTTP_ACCEPT=accept, **auth)
        assert asked.status_code == 200, (accept, asked.status_code)
        assert asked["Content-Type"] == "application/pdf"
        assert b"".join(asked.streaming_content).startswith(b"%PDF-")
    # … and an error on the way is still the API's JSON error, whatever it asked for.
    missing = client.get("/api/v1/reports/999999/download/", HTTP_ACCEPT="application/pdf", **auth)
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert missing.json()["code"] == "not_found"


def test_api_report_out_of_scope(listed, api):
    response = api(listed.school_admin).post("/api/v1/reports/", {"kind": "school", "subject": listed.b1_school1.pk})
    assert response.status_code == 404
    response = api(listed.school_admin).post("/api/v1/reports/", {"kind": "nonsense", "subject": "x"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind", "subject"}


def test_order_partners_lists_the_pairs_as_pdf_and_docx(listed, login, tmp_path):
    from docx import Document

    from curators.models import PartnerPair

    order = OrderFactory(municipality=listed.a1, number="52")
    PartnerPair.objects.create(
        school=listed.a1_school1, leader=listed.a1_school2, year=YEAR, order=order, plan="Взаимные посещения уроков"
    )
    PartnerPair.objects.create(school=listed.a2_school1, leader=listed.a1_school2, year=YEAR, order=order)
    PartnerPair.objects.create(school=listed.a1_school2, leader=listed.a1_school1, year=YEAR - 1, order=order)
    c = login(listed.coordinator)
    response = request_document(c, ReportKind.ORDER_PARTNERS, listed.a1.pk)
    assert response.status_code == 302
    text = pdf_text(b"".join(c.get(response["Location"]).streaming_content), tmp_path)
    assert "Об утверждении партнёрских пар" in text
    assert "Взаимные посещения уроков" in text
    response = request_document(c, ReportKind.ORDER_PARTNERS, listed.a1.pk, fmt="docx")
    d = Document(io.BytesIO(b"".join(c.get(response["Location"]).streaming_content)))
    rows = [[cell.text for cell in row.cells] for row in d.tables[-1].rows]  # the appendix (the first: signature)
    assert rows[0] == ["№ п/п", "Организация с низкими результатами", "Школа-лидер", "План совместной работы"]
    # this year's pair of this municipality only: another municipality's school and last year's pair are absent
    assert rows[1:] == [["1", listed.a1_school1.short_name, listed.a1_school2.short_name, "Взаимные посещения уроков"]]


def test_draft_order_shortcuts_on_the_coordinators_pages(listed, login):
    client = login(listed.coordinator)
    for url, kind in (
        (reverse("curators:pair-list"), "order_partners"),
        (reverse("curators:assignment-grid"), "order_curators"),
        (reverse("schools:status-list-set"), "order_low_results"),
    ):
        html = client.get(url).content.decode()
        assert "Проект приказа (PDF, .docx)" in html, url
        assert f"{reverse('reports:report-list')}?kind={kind}&amp;municipality={listed.a1.pk}" in html, url
    # those who may not issue orders see no shortcut
    assert "Проект приказа" not in login(listed.school_admin).get(reverse("curators:pair-list")).content.decode()
