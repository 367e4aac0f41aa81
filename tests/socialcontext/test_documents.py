"""The municipal report's section «Результаты с учётом контекста» and the school report's
context lines, rendered to PDF and read back with pdftotext; the chart in the PDF is the
page's chart (same selector) without its links."""

import pytest
from django.utils import translation

from reports.documents import municipal_report, school_report
from socialcontext.models import ContextFit, SchoolContextFigure
from tests.assessment.test_documents import pdf_text
from tests.socialcontext.conftest import YEAR

pytestmark = pytest.mark.django_db


def test_municipal_report_has_the_context_section(world, fitted, tmp_path):
    with translation.override("ru"):
        text = pdf_text(municipal_report(world.a1, YEAR), tmp_path)
    fit = ContextFit.objects.get(municipality=world.a1, year=YEAR)
    assert "Результаты с учётом контекста" in text
    assert f"r² = {fit.r2:.2f}".replace(".", ",") in text and "школ: 10" in text  # the chart's title
    assert "Резильентные школы" in text and "K СШ № 2" in text
    assert "Проверить объективность" in text and "Признаков необъективности отметок ВПР в этом году: 1" in text
    assert "Предложения партнёров" in text


def test_the_pdf_chart_is_the_page_chart_without_links(world, fitted):
    from socialcontext import documents, selectors

    section = documents.municipal_report_sections(world.a1, YEAR)[0]
    pdf_chart = section.context["mc"].chart
    page_chart = selectors.municipal_context(world.a1, YEAR).chart
    assert "<a href" not in pdf_chart and page_chart.count("<a href") == 10
    strip = page_chart.replace("</a>", "</g>")
    import re

    assert re.sub(r'<a href="[^"]*" aria-label="[^"]*">', "<g>", strip) == pdf_chart


def test_municipal_report_says_why_with_too_few_schools(world, schools_in, add_context, add_index, tmp_path):
    from socialcontext.services import context_analysis_run
    from tests.socialcontext.conftest import linear_row

    for i, school in enumerate(schools_in(world.a2, 4, "Q")):
        add_context(school, YEAR, **linear_row(20 * i + 10))
        add_index(school, YEAR, 0.1 * i)
    context_analysis_run()
    with translation.override("ru"):
        text = pdf_text(municipal_report(world.a2, YEAR), tmp_path)
    assert "Результаты с учётом контекста" in text and "только у 4 школ" in text


def test_no_context_no_section(world, tmp_path):
    from socialcontext import documents

    assert documents.municipal_report_sections(world.b1, YEAR) == []
    assert documents.school_report_sections(world.b1_school1, YEAR) == []


def test_school_report_has_the_context_lines(world, fitted, tmp_path):
    school = fitted["K06"]
    figure = SchoolContextFigure.objects.get(school=school, year=YEAR)
    with translation.override("ru"):
        text = pdf_text(school_report(school, YEAR), tmp_path)
    assert "Результаты с учётом социального контекста, 2023/2024" in text
    assert f"{figure.expected:.2f}".replace(".", ",") in text and f"{figure.residual:.2f}".replace(".", ",") in text
    assert "Выше ожидаемого: индекс выше того" in text
    assert "Признаков необъективности отметок ВПР в этом году: 1" in text
