"""The one PDF base of the portal (WeasyPrint + Django templates).

A document template extends ``reports/pdf/base.html`` and fills ``{% block body %}``
(optionally ``{% block signature %}``).  The base draws: A4 pages, the issuing body's
header with its logo, the title, number and date, «стр. N из M», the date of the data and
a short checksum of the content, with fonts shipped in the project (Cyrillic everywhere).
Tables repeat their header row on every page; charts are inline SVG from core.charts."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

FONTS_DIR = Path(__file__).resolve().parent / "static" / "reports" / "fonts"
CHECKSUM_MARK = "@@CHECKSUM@@"


def _fetcher():
    """Only the project's fonts, uploaded logos and data: URIs; never the network."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                path = Path(url[len("file://") :].split("?")[0]).resolve()
                allowed = (FONTS_DIR, Path(settings.MEDIA_ROOT))
                if not any(path.is_relative_to(root.resolve()) for root in allowed):
                    raise ValueError(f"Blocked file in a PDF: {path.name}")
            elif not url.startswith("data:"):
                raise ValueError(f"Blocked resource in a PDF: {url[:80]}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("file", "data"))


def document_header(municipality=None) -> dict:
    """The issuing body of a document: the municipality's education authority and logo."""
    issuer = getattr(municipality, "education_body", "") or settings.OPORA_DEFAULT_ISSUER
    logo = getattr(municipality, "logo", None)
    logo_uri = Path(logo.path).as_uri() if logo else ""
    # The lines above the body (reports.requisites: «Каменск-Уральский городской округ»,
    # «Свердловской области»); where none are kept, the region's name under the body.
    lines = getattr(municipality, "header_lines", None) or []
    if isinstance(lines, str):
        lines = [line.strip() for line in lines.splitlines() if line.strip()]
    return {
        "issuer": issuer,
        "logo_uri": logo_uri,
        "municipality": municipality,
        "header_lines": lines,
        "region": "" if lines else getattr(getattr(municipality, "region", None), "name", ""),
    }


def render_html(
    template_name: str,
    context: dict,
    *,
    municipality=None,
    title: str = "",
    number: str = "",
    doc_date: datetime.date | None = None,
    data_date: datetime.datetime | None = None,
) -> str:
    """The document's HTML with its checksum filled in (the checksum covers the content)."""
    doc = {
        **document_header(municipality),
        "title": title,
        "number": number,
        "date": doc_date or timezone.localdate(),
        "data_date": data_date or timezone.localtime(),
        "checksum": CHECKSUM_MARK,
        "fonts_uri": FONTS_DIR.as_uri(),
    }
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        html = render_to_string(template_name, {**context, "doc": doc})
    checksum = hashlib.sha256(html.encode()).hexdigest()[:12].upper()
    return html.replace(CHECKSUM_MARK, f"{checksum[:4]}-{checksum[4:8]}-{checksum[8:]}")


def render_pdf_html(html: str) -> tuple[bytes, int]:
    """Render finished document HTML; returns the PDF and its page count."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    document = HTML(string=html, base_url=str(FONTS_DIR), url_fetcher=_fetcher()).render(font_config=font_config)
    return document.write_pdf(), len(document.pages)


def render_pdf(template_name: str, context: dict, **doc) -> bytes:
    return render_pdf_html(render_html(template_name, context, **doc))[0]


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    name = filename if filename.endswith(".pdf") else f"{filename}.pdf"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    return response
