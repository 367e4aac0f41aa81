"""Styled xlsx files: a bold shaded header, frozen first row, filters on, fitted widths."""

import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def _cell_value(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.replace(tzinfo=None) if getattr(value, "tzinfo", None) else value
    return str(value)


def write_sheet(ws, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    ws.append([str(h) for h in headers])
    widths = [len(str(h)) for h in headers]
    for row in rows:
        values = [_cell_value(v) for v in row]
        ws.append(values)
        for i, v in enumerate(values):
            if v is not None:
                widths[i] = max(widths[i], min(len(str(v)), 60))
    for i, cell in enumerate(ws[1], start=1):
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = widths[i - 1] + 2
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(ws.max_row, 1)}"


def workbook_bytes(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, (headers, rows) in sheets.items():
        write_sheet(wb.create_sheet(title[:31]), headers, rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence], sheet: str = "Данные"
) -> HttpResponse:
    response = HttpResponse(workbook_bytes({sheet: (headers, rows)}), content_type=XLSX_MIME)
    safe = slugify(filename, allow_unicode=True) or "export"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(safe)}.xlsx"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def table_rows(table) -> tuple[list[str], list[list]]:
    """Headers and rows of a django-tables2 table as shown (all pages, same order and filters)."""
    values = iter(table.as_values())
    headers = [str(h) for h in next(values)]
    return headers, [list(r) for r in values]
