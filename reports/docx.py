"""Editable .docx of the documents (python-docx), laid out as the PDFs: A4, ГОСТ margins,
Times New Roman 14 pt (12 pt in tables), page numbers as a PAGE field in the middle of the
top margin from the second page, so that the file opens in Word or LibreOffice ready to
register.  Orders (``render_docx``) and the narrative information note (``render_note_docx``)."""

from __future__ import annotations

import io

from docx import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.documents import Document

FONT = "Times New Roman"


def _base() -> DocxDocument:
    d = DocxDocument()
    style = d.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.15
    section = d.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(10)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.header_distance = Mm(10)
    section.different_first_page_header_footer = True  # no number on the first page
    _page_field(section.header.paragraphs[0])
    return d


def _page_field(paragraph) -> None:
    """A PAGE field, centred: the page number Word and LibreOffice fill in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.size = Pt(12)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text == " PAGE " else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _para(d, text="", *, align=None, bold=False, size=None, indent=True, space_after=0, keep=False):
    p = d.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    elif indent:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Mm(12.5)
    p.paragraph_format.space_after = Pt(space_after)
    if keep:
        p.paragraph_format.keep_with_next = True
    return p


def _signature(d, position: str, name: str) -> None:
    """Position on the left, «И.О. Фамилия» on the right, one line (a borderless table)."""
    table = d.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    left, right = table.rows[0].cells
    left.width, right.width = Mm(120), Mm(55)
    left.paragraphs[0].add_run(position)
    right.paragraphs[0].add_run(name)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table(d, headers, rows, widths) -> None:
    table = d.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    total = 175  # mm between the margins
    for i, h in enumerate(headers):
        cell = table.rows[0].cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(h))
        run.bold, run.font.size = True, Pt(12)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The header row repeats on every page.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run("" if value is None else str(value)).font.size = Pt(12)
    if widths:
        for row in table.rows:
            for cell, w in zip(row.cells, widths, strict=True):
                cell.width = Mm(total * w / 100)


def _header(d, requisites) -> None:
    for line in requisites.header_lines:
        _para(d, line, align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
    _para(d, requisites.issuer, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)


def render_docx(doc: Document) -> bytes:
    order = doc.order
    r = order.requisites
    d = _base()
    _header(d, r)
    _para(d)
    _para(d, "ПРИКАЗ", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=16)
    date = f"{order.date:%d.%m.%Y}" if order.date else "____________"
    number = order.number or "________"
    _para(d, f"от {date} № {number}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(d, r.place, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _para(d, order.title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, space_after=12)
    _para(d, order.preamble)
    _para(d, "ПРИКАЗЫВАЮ:", align=WD_ALIGN_PARAGRAPH.LEFT, bold=True)
    for point in order.points:
        _para(d, point, keep=point is order.points[-1])
    _para(d, keep=True)
    _para(d, keep=True)
    _signature(d, r.head_position, r.head_name)
    if order.executor:
        _para(d)
        _para(d)
        _para(d, order.executor.mark, align=WD_ALIGN_PARAGRAPH.LEFT, size=10)
    # The appendix on a new page.
    p = d.add_paragraph()
    p.add_run().add_break(WD_BREAK.PAGE)
    head = _para(d, "Приложение", align=WD_ALIGN_PARAGRAPH.LEFT, size=12)
    for text in ("к приказу", f"от {date} № {number}"):
        _para(d, text, align=WD_ALIGN_PARAGRAPH.LEFT, size=12).paragraph_format.left_indent = Mm(100)
    head.paragraph_format.left_indent = Mm(100)
    _para(d)
    _para(d, order.appendix_title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, space_after=6)
    _table(d, order.headers, order.rows, order.widths)
    return _save(d)


def render_note_docx(doc: Document) -> bytes:
    """The information note: the authority's header, the title, numbered headings and the
    paragraphs as the coordinator issued them, the head's signature."""
    r = doc.requisites
    d = _base()
    _header(d, r)
    _para(d)
    _para(d, f"{doc.doc_date:%d.%m.%Y}" if doc.doc_date else "", align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(d, doc.title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, space_after=12)
    parts = doc.context["parts"]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if "heading" in part:
            _para(d, f"{part['number']}. {part['heading']}", align=WD_ALIGN_PARAGRAPH.LEFT, bold=True, keep=True)
        else:
            _para(d, part["text"], keep=last, space_after=6)
    _para(d, keep=True)
    _signature(d, r.head_position, r.head_name)
    return _save(d)


def _save(d) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
