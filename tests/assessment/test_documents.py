"""The assessment sections of the school report, the municipal report and the information
note: rendered to PDF through reports, read back with pdftotext; queries constant as schools grow."""

import subprocess

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import documents
from reports.documents import info_note, municipal_report, school_report
from reports.services import document_render
from schools.models import Order, SchoolStatus, StatusKind
from tests.assessment.test_indicators import results
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db
YEAR = 2024


def pdf_text(doc, tmp_path) -> str:
    pdf, _checksum, pages = document_render(doc, "pdf")
    assert pages >= 1
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def school_year(school, year, score, fails, prefix):
    """Ten ВПР Математика grade-5 rows of ``score``/20 with ``fails`` «2» and the rest «4»; five
    rows of Русский язык at 60 %."""
    results(school, year=year, scores=[score] * 10, marks=[2] * fails + [4] * (10 - fails), prefix=prefix)
    results(school, subject="Русский язык", year=year, scores=[12] * 5, marks=[3] * 5, prefix=prefix + "R")


@pytest.fixture
def analysed(world):
    """A1 over 2023 and 2024: СШ № 1 falls from 70 % to 35 % (flags); СШ № 2 stays at 80 %; the
    curator's school at 60 %.  СШ № 1 is a ШНОР of 2024."""
    for year, own in ((YEAR - 1, 14), (YEAR, 7)):
        school_year(world.a1_school1, year, own, 4 if year == YEAR else 0, f"A{year}")
        school_year(world.a1_school2, year, 16, 0, f"B{year}")
        school_year(world.a1_curator_school, year, 12, 1, f"C{year}")
    order = Order.objects.create(
        municipality=world.a1, region=world.region_a, number="7", date="2024-09-01", issuer="УО", title="ШНОР"
    )
    SchoolStatus.objects.create(school=world.a1_school1, kind=StatusKind.LOW_RESULTS, year_from=YEAR, order=order)
    call_command("analyse_results")
    return world


def test_school_report_shows_results_dynamics_flags_and_risk(analysed, tmp_path):
    text = pdf_text(school_report(analysed.a1_school1, YEAR), tmp_path)
    assert "6. Результаты оценочных процедур и их динамика, 2024/2025" in text
    assert "Математика" in text and "Русский язык" in text
    # 2024: ВПР Математика — 10 participants, 35,0 %, «2» 40,0 %, quality 60,0 %; 70,0 % the year before.
    assert "35,0" in text and "40,0 %" in text and "60,0 %" in text and "70,0" in text
    assert "Средний процент выполнения по годам" in text  # the chart's title
    assert "Низкие результаты" in text and "Отрицательная динамика" in text
    assert "после 70,0 % годом ранее (-35,0 балла)" in text or "(−35,0" in text or "-35,0" in text


def test_school_report_without_results_says_so(world, tmp_path):
    text = pdf_text(school_report(world.a1_school2, YEAR), tmp_path)
    assert "Результаты оценочных процедур школы за 2024/2025 и два предыдущих года не анализировались" in text


def test_municipal_report_lists_indices_candidates_spread_and_effect(analysed, tmp_path):
    text = pdf_text(municipal_report(analysed.a1, YEAR), tmp_path)
    assert "6. Результаты оценочных процедур школ, 2024/2025" in text
    assert "Индексы школ" in text and analysed.a1_school1.short_name in text
    assert "индекс не выше 10-го процентиля" in text or "10" in text
    assert "Разброс индексов школ" in text and "Эффективность программы" in text
    # one ШНОР school, its index fell: 0 of 1 rose
    assert "0 (0,0 %)" in text
    assert "Низкие результаты" in text


def test_info_note_tells_the_results_in_prose(analysed, tmp_path):
    text = pdf_text(info_note(analysed.a1, YEAR), tmp_path)
    assert "В 2024/2025 учебном году проанализированы результаты 3 школ" in text or "результаты 3 школ" in text
    assert "флаг низких результатов" in text
    assert "Разброс индексов школ (P90 − P10) составил" in text
    assert "кандидат" in text and analysed.a1_school1.short_name in text
    assert "Из 1 школ программы поддержки" in text or "программы поддержки" in text


def test_sections_queries_do_not_grow_with_schools(analysed):
    def count(municipality, school):
        with CaptureQueriesContext(connection) as ctx:
            documents.municipal_report_sections(municipality, YEAR)
            documents.info_note_sections(municipality, YEAR)
            documents.school_report_sections(school, YEAR)
        return len(ctx.captured_queries)

    before = count(analysed.a1, analysed.a1_school1)
    for n in range(8):
        school = SchoolFactory(municipality=analysed.a1)
        school_year(school, YEAR - 1, 10 + n % 5, n % 3, f"N{n}a")
        school_year(school, YEAR, 9 + n % 7, n % 4, f"N{n}b")
    call_command("analyse_results")
    assert documents.SchoolIndex.objects.filter(municipality=analysed.a1, year=YEAR).count() == 11
    assert count(analysed.a1, analysed.a1_school1) == before <= 17
