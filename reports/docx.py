"""Editable .docx drafts (python-docx) of the same documents as the PDFs: the issuing
body, title, number and date, the preamble, the appendix table and the signature line."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from reports.documents import Document
from reports.pdf import document_header


def render_docx(doc: Document) -> bytes:
    header = document_header(doc.municipality)
    d = DocxDocument()
    style = d.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)
    p = d.add_paragraph(header["issuer"])
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.runs[0].bold = True
    p = d.add_paragraph(_("ORDER"))
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.runs[0].bold = True
    d.add_paragraph(f"{timezone.localdate():%d.%m.%Y}\t\t\t\t\t№ {doc.number}")
    p = d.add_paragraph(doc.title)
    p.runs[0].bold = True
    for text in doc.paragraphs:
        d.add_paragraph(text)
    d.add_paragraph()
    d.add_paragraph(_("Head of the education authority") + "\t\t\t\t____________")
    if doc.table:
        headers, rows = doc.table
        d.add_page_break()
        p = d.add_paragraph(_("Appendix to the order"))
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        table = d.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = str(text)
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = "" if value is None else str(value)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
