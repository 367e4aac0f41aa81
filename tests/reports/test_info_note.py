"""The information note as an editable narrative: generated in the seeds' order, edited in
the browser, kept, issued as PDF and .docx with the text it was made from; headings numbered
without gaps whatever the coordinator deletes; bad input refused, nothing half-made kept."""

import io
import re
import subprocess

import pytest
from django.urls import reverse
from docx import Document as Docx

from core.years import current_academic_year
from reports.models import GeneratedReport, InfoNote
from reports.narrative import generate, parts
from schools.models import SchoolStatus, StatusKind
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
YEAR = current_academic_year()


@pytest.fixture
def listed(world):
    order = OrderFactory(municipality=world.a1, number="48")
    SchoolStatus.objects.create(school=world.a1_school1, kind=StatusKind.LOW_RESULTS, year_from=YEAR, order=order)
    return world


def url(world):
    return reverse("reports:info-note", args=[world.a1.pk, YEAR])


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "note.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_generated_text_follows_the_seeds_order(listed):
    text = generate(listed.a1, YEAR)
    assert text.startswith("В целях реализации на территории муниципального образования «Округ А1»")
    headings = [p["heading"] for p in parts(text) if "heading" in p]
    assert headings[0] == "Школы с низкими образовательными результатами"
    assert headings[1].startswith("Работа кураторов")
    assert headings[-1] == "Дальнейшая работа"
    assert [p["number"] for p in parts(text) if "heading" in p] == list(range(1, len(headings) + 1))
    assert "В перечень входят: СШ № 1." in text
    assert "В ближайший период необходимо:" in text


def test_the_form_leads_to_the_editor(listed, login):
    c = login(listed.coordinator)
    response = c.post(
        reverse("reports:report-create"),
        {"kind": "info_note", "municipality": listed.a1.pk, "year": YEAR, "fmt": "pdf"},
    )
    assert response.status_code == 302 and response["Location"] == url(listed)
    page = c.get(url(listed))
    assert page.status_code == 200
    assert "В целях реализации на территории" in page.content.decode()
    assert not GeneratedReport.objects.exists()


def test_edit_save_and_issue_pdf_and_docx(listed, login, tmp_path, django_capture_on_commit_callbacks):
    c = login(listed.coordinator)
    text = generate(listed.a1, YEAR)
    # the coordinator deletes the curators' part and adds a sentence of their own
    blocks = text.split("\n\n")
    start = next(i for i, b in enumerate(blocks) if b.startswith("# Работа кураторов"))
    end = next(i for i, b in enumerate(blocks) if i > start and b.startswith("# "))
    edited = "\n\n".join(
        [*blocks[:start], *blocks[end:], "Проведён муниципальный семинар для заместителей директоров."]
    )
    response = c.post(url(listed), {"text": edited, "action": "save"})
    assert response.status_code == 302
    assert InfoNote.objects.get(municipality=listed.a1, year=YEAR).text == edited
    assert "Проведён муниципальный семинар" in c.get(url(listed)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(url(listed), {"text": edited, "action": "pdf"})
    report = GeneratedReport.objects.get(fmt="pdf")
    assert response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    assert report.status == "done", report.error
    assert report.text == edited
    pdf = pdf_text(report.file.read(), tmp_path)
    flat = re.sub(r"\s+", " ", pdf)
    assert "Проведён муниципальный семинар для заместителей директоров." in flat
    assert "Работа кураторов" not in flat
    numbers = [int(n) for n in re.findall(r"^\s{0,3}(\d)\. \S", pdf, re.M)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 4
    assert "И.П. Руководова" in flat and "Начальник Управления образования" in flat

    with django_capture_on_commit_callbacks(execute=True):
        c.post(url(listed), {"text": edited, "action": "docx"})
    report = GeneratedReport.objects.get(fmt="docx")
    d = Docx(io.BytesIO(report.file.read()))
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "Округ А1" and texts[1] == "Управление образования (Округ А1)"
    assert "Проведён муниципальный семинар для заместителей директоров." in texts
    assert "1. Школы с низкими образовательными результатами" in texts
    assert (round(d.sections[0].page_width.mm), round(d.sections[0].page_height.mm)) == (210, 297)
    assert "PAGE" in d.sections[0].header._element.xml


def test_empty_text_is_refused_and_nothing_kept(listed, login):
    c = login(listed.coordinator)
    response = c.post(url(listed), {"text": "# Только заголовок", "action": "pdf"})
    assert response.status_code == 400
    assert "нет ни одного абзаца" in response.content.decode()
    assert not GeneratedReport.objects.exists() and not InfoNote.objects.exists()


def test_missing_head_refuses_the_issue_but_keeps_the_text(listed, login):
    listed.a1.heads.all().delete()
    c = login(listed.coordinator)
    response = c.post(url(listed), {"text": "Абзац справки.", "action": "pdf"})
    assert response.status_code == 400
    assert "не назначен руководитель органа управления образованием" in response.content.decode()
    assert not GeneratedReport.objects.exists()
    assert InfoNote.objects.get().text == "Абзац справки."  # what was typed is not lost


def test_regional_coordinator_issues_but_does_not_overwrite(listed, login, django_capture_on_commit_callbacks):
    c = login(listed.regional)
    page = c.get(url(listed))
    assert page.status_code == 200 and 'value="save"' not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        c.post(url(listed), {"text": "Абзац региона.", "action": "pdf"})
    assert GeneratedReport.objects.get().text == "Абзац региона."
    assert not InfoNote.objects.exists()


def test_out_of_scope_is_404(listed, login):
    assert login(listed.coordinator_a2).get(url(listed)).status_code == 404
    assert login(listed.school_admin).get(url(listed)).status_code == 404
