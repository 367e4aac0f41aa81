"""The regional report as an editable .docx (python-docx): the same requisites, sections and
tables as the PDF — A4, margins of ГОСТ Р 7.0.97-2016 (20 mm left, 10 mm right, 20 mm top and
bottom), Times New Roman 14 pt (12 pt in tables), the page number in the header, the wide
comparison tables on landscape pages."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from core.templatetags.opora import num
from regional.documents import regional_report_context, regional_report_title, regional_requisites


def _page_number(paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _margins(section, landscape: bool = False) -> None:
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.left_margin, section.right_margin = Mm(20), Mm(10)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)


def _para(doc, text: str, *, bold=False, align=None, size=None):
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    return p


def _table(doc, headers: list[str], rows: list[list[str]], bold_last: bool = False) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for i, row in enumerate(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)
            if bold_last and i == len(rows) - 1:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(12)


def regional_report_docx(region, year: int) -> bytes:
    ctx = regional_report_context(region, year)
    today = timezone.localdate()
    req = regional_requisites(region, today)
    doc = DocxDocument()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)
    section = doc.sections[0]
    _margins(section)
    section.different_first_page_header_footer = True
    _page_number(section.header.paragraphs[0])
    section.header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    for line in req.header_lines:
        _para(doc, line, align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
    _para(doc, req.issuer, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"{today:%d.%m.%Y}" + (f"\t\t{req.place}" if req.place else ""))
    _para(doc, regional_report_title(region, year), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    total = ctx["total"]
    doc.add_heading(f"1. {_('The region in figures')}", level=2)
    if total:
        _para(
            doc,
            _(
                "In the year the list of schools with low educational results holds %(low)s schools (%(entered)s "
                "entered it, %(left)s left it); the analysis of results proposes %(candidates)s candidates for the "
                "lists of the municipalities."
            )
            % {
                "low": total["low_results"],
                "entered": total["low_results_entered"],
                "left": total["low_results_left"],
                "candidates": total["candidates"],
            },
        )
    else:
        _para(doc, _("The region has no municipalities in the portal yet."))

    wide = doc.add_section(WD_SECTION.NEW_PAGE)
    _margins(wide, landscape=True)
    doc.add_heading(f"2. {_('The municipalities compared')}", level=2)
    _para(doc, _("In brackets, the same figure in %(year)s.") % {"year": ctx["previous_label"]}, size=12)
    for n, t in enumerate(ctx["tables"], start=1):
        doc.add_heading(f"2.{n}. {t['title']}", level=3)
        rows = [[r["name"], *(f"{this} ({prev})" for this, prev in r["cells"])] for r in t["rows"]]
        _table(doc, [_("Municipality"), *t["headers"]], rows, bold_last=bool(total))

    narrow = doc.add_section(WD_SECTION.NEW_PAGE)
    _margins(narrow)
    doc.add_heading(f"3. {_('The spread of the school indices over the years')}", level=2)
    if ctx["spread_rows"]:
        rows = [[r["name"], *(num(v, 2) for v in r["values"])] for r in ctx["spread_rows"]]
        rows.append([_("Region (regional index)"), *(num(s.spread, 2) if s else "—" for s in ctx["regional_spreads"])])
        _table(doc, [_("Municipality"), *ctx["year_labels"]], rows, bold_last=True)
    else:
        _para(doc, _("No spread has been computed for these years: there are no analysed results."))

    doc.add_heading(f"4. {_('What works: the effectiveness of the programme')}", level=2)
    if ctx["effect_rows"]:
        if ctx["best"]:
            _para(doc, ctx["best"])
        rows = [
            [r["name"], *("—" if v is None else f"{num(v)} %" for v in r["left"] or [])] for r in ctx["effect_rows"]
        ]
        _table(doc, [_("Municipality"), *ctx["year_labels"]], rows)
        _para(doc, _("Share of the year's ШНОР that left the status by the start of the next year."), size=12)
    else:
        _para(doc, _("No programme year has been evaluated yet."))

    doc.add_heading(f"5. {_('Schools with low results and candidates of the region')}", level=2)
    if ctx["listed"]:

        def index(i) -> str:
            if i is None:
                return "—"
            return num(i.value, 2) + (f" ({_('candidate')})" if i.candidate else "")

        rows = [
            [
                i,
                r["school"].short_name,
                r["school"].municipality.name,
                _("yes") if r["low"] else "—",
                index(r["municipal"]),
                index(r["regional"]),
            ]
            for i, r in enumerate(ctx["listed"], start=1)
        ]
        headers = [
            _("№"),
            _("School"),
            _("Municipality"),
            _("ШНОР"),
            _("Index in the municipality"),
            _("Index in the region"),
        ]
        _table(doc, headers, rows)
    else:
        _para(doc, _("The region has no schools with low results and no candidates this year."))

    doc.add_paragraph()
    position = req.head_position or _("Head of the regional education authority")
    _para(doc, f"{position}\t\t____________\t{req.head_name}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
