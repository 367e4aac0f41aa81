"""The regional report: PDF and .docx, issued for the region by those who oversee it, with the
comparison's figures, the spread over the years and the effectiveness; read back."""

import io
import re
import subprocess

import pytest
from django.urls import reverse
from docx import Document

from regional import selectors
from regional.documents import regional_report_context, regional_requisites

pytestmark = pytest.mark.django_db
REPORT = reverse("regional:report")


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("who", ["coordinator", "methodist", "school_admin", "curator"])
def test_only_the_region_issues_it(world, login, who):
    assert login(getattr(world, who)).get(REPORT).status_code == 404


def test_the_form_and_another_region(region, login):
    c = login(region.regional)
    assert c.get(REPORT).status_code == 200
    response = c.get(REPORT, {"region": region.region_b.pk, "year": region.year, "fmt": "pdf"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), "refused, the form again"
    assert "region" in response.context["form"].errors


def test_pdf_holds_the_comparison_figures(region, login, tmp_path):
    response = login(region.regional).get(REPORT, {"region": region.region_a.pk, "year": region.year, "fmt": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    rows = {
        r.municipality.name if r.municipality else "total": r.values[region.year]
        for r in selectors.municipality_summary([region.a1, region.a2], region.year, region=region.region_a)
    }
    flat = " ".join(text.split())
    assert "Аналитический отчёт о поддержке школ с низкими образовательными результатами" in flat
    for n, title in enumerate(
        [
            "Регион в цифрах",
            "Сравнение муниципалитетов",
            "Разброс индексов школ по годам",
            "Что работает: эффективность программы",
            "ШНОР и кандидаты региона",
        ],
        start=1,
    ):
        assert f"{n}. {title}" in flat
    assert "Округ Б1" not in text
    total_line = next(line for line in text.splitlines() if "Регион, всего" in line)
    assert re.search(rf"\b{rows['total']['low_results']}\b", total_line)
    mean = f"{rows['total']['results_mean_percent']:.1f}".replace(".", ",")
    assert mean in text, "the pooled mean of the region, as the page shows it"
    assert f"{rows['Округ А1']['results_mean_percent']:.1f}".replace(".", ",") in text
    assert "Министр образования В.И. Областная" in flat, "the head in office signs (reports.requisites)"
    assert "стр. 1 из" in text


def test_docx_is_a4_with_the_page_number_and_the_same_tables(region, login):
    response = login(region.regional).get(REPORT, {"region": region.region_a.pk, "year": region.year, "fmt": "docx"})
    doc = Document(io.BytesIO(response.content))
    first = doc.sections[0]
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    assert (round(first.left_margin.mm), round(first.right_margin.mm), round(first.top_margin.mm)) == (20, 10, 20)
    assert any(round(s.page_width.mm) == 297 for s in doc.sections), "the wide tables on a landscape page"
    assert "PAGE" in first.header._element.xml
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert cells[1][:2] == ["Округ А1", "2 (1)"], "ШНОР this year (last year)"
    assert any(row[0] == "Регион, всего" for row in cells)


def test_spread_over_the_years_and_the_listed_schools(region):
    ctx = regional_report_context(region.region_a, region.year)
    assert ctx["years"] == [region.year - 1, region.year]
    assert {r["name"] for r in ctx["spread_rows"]} == {"Округ А1", "Округ А2"}
    listed = {r["school"].code for r in ctx["listed"]}
    assert {"A1S1", "A1S2"} <= listed and "B1S1" not in listed


def test_requisites_name_the_head_in_office_and_what_is_missing(region, login):
    from django.utils import timezone

    req = regional_requisites(region.region_a, timezone.localdate())
    assert req.header_lines == ["Область А"]
    assert (req.head_position, req.head_name, req.complete) == ("Министр образования", "В.И. Областная", True)
    region.region_a.heads.all().delete()
    req = regional_requisites(region.region_a, timezone.localdate())
    assert req.head_name == "" and not req.complete
    assert "не назначен руководитель органа управления образованием региона «Область А»" in " ".join(req.missing)
