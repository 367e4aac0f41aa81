"""The description of an imported table file, shared by every checked import: its columns
(``Column``: field, header, alias, required), matched to the file's header ignoring case,
spaces and «ё»; the one row-reading loop that hands each non-blank row to the app's row
validator and collects *every* error (row, column, value, reason in Russian); the cell
conversions; the template and the refused file given back with an «Ошибки» column.

Reading the bytes into a table (after ``core.spreadsheets.check_spreadsheet`` measured them)
is the app's reader, passed in as ``FileFormat.reader``; a table is anything with ``kind``,
``header``, ``rows`` (with ``len()``) and ``delimiter``."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from core.spreadsheets import Limits

__all__ = [
    "Checked",
    "Column",
    "FileFormat",
    "FileRefused",
    "Row",
    "cell_number",
    "cell_text",
    "cell_year",
    "error_report",
    "import_error",
    "normalise_name",
]


class FileRefused(Exception):
    """The file as a whole cannot be read (wrong type, too large, broken encoding…)."""


def normalise_name(value: str) -> str:
    """Case-, space- and «ё»-insensitive key used to match headers and catalogue aliases."""
    return "".join(str(value).lower().replace("ё", "е").split())


# --- cells ------------------------------------------------------------------------------------


def cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, bool):
        return str(int(v))
    return str(v).strip()


def cell_number(v) -> float | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    s = cell_text(v).replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


_YEAR_RE = re.compile(r"^(\d{4})\s*(?:[/\-–]\s*(\d{4}))?$")


def cell_year(v) -> int | None:
    """An academic year written «2022/2023», «2022-2023» or «2022» → its starting year."""
    m = _YEAR_RE.match(cell_text(v))
    if not m:
        return None
    start = int(m.group(1))
    if m.group(2) and int(m.group(2)) != start + 1:
        return None
    return start if 2000 <= start <= 2100 else None


def import_error(row: int, column: str, value, reason: str) -> dict:
    """One error as every import stores it: row 0 is the file as a whole, row 1 its header."""
    return {"row": row, "column": str(column), "value": cell_text(value)[:200], "reason": str(reason)}


# --- columns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    alias: str = ""
    required: bool = False


def match_header(header: Sequence, columns: Sequence[Column]) -> tuple[dict[str, int], list[dict]]:
    """Field → column index, and the header errors (a required column missing, one twice)."""
    keys = {normalise_name(name): c.field for c in columns for name in (c.header, c.alias) if name}
    positions: dict[str, int] = {}
    errors = []
    for i, title in enumerate(header):
        key = keys.get(normalise_name(title or ""))
        if key is None:
            continue
        if key in positions:
            errors.append(import_error(1, title, title, _("The column appears twice.")))
            continue
        positions[key] = i
    for col in columns:
        if col.required and col.field not in positions:
            errors.append(import_error(1, col.header, "", _("Required column is missing.")))
    return positions, errors


# --- the row-reading loop -----------------------------------------------------------------------


@dataclass
class Checked:
    """What a check found: the valid rows as the app's validator made them, every error, how
    many data rows the file has (blank ones included) and the file's own column titles."""

    rows: list = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    rows_read: int = 0
    titles: dict[str, str] = field(default_factory=dict)
    columns: Sequence[Column] = ()

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows})

    def title(self, fieldname: str) -> str:
        """The column's title as the file writes it (its header where the file lacks it)."""
        if self.titles.get(fieldname):
            return self.titles[fieldname]
        return next((c.header for c in self.columns if c.field == fieldname), fieldname)

    def error(self, row: int, fieldname: str, value, reason: str) -> None:
        self.errors.append(import_error(row, self.title(fieldname), value, reason))


_CELL = object()


class Row:
    """One non-blank row of the file as the validator sees it: ``row["year"]`` is the cell of
    a column (None where the file lacks the column); ``fail`` records an error in the row."""

    __slots__ = ("cells", "checked", "failed", "line", "positions")

    def __init__(self, line: int, cells: list, positions: dict[str, int], checked: Checked):
        self.line, self.cells, self.positions, self.checked = line, cells, positions, checked
        self.failed = False

    def __getitem__(self, fieldname: str):
        return self.cells[self.positions[fieldname]] if fieldname in self.positions else None

    def has(self, fieldname: str) -> bool:
        return fieldname in self.positions

    def text(self, fieldname: str) -> str:
        """The cell's text with runs of spaces collapsed."""
        return " ".join(cell_text(self[fieldname]).split())

    def fail(self, fieldname: str, reason: str, value=_CELL) -> None:
        self.checked.error(self.line, fieldname, self[fieldname] if value is _CELL else value, reason)
        self.failed = True

    def required(self, fieldname: str, convert: Callable, message: str):
        """The converted cell, or None with an error: «a value is required», else ``message``."""
        value = self[fieldname]
        if cell_text(value) == "":
            self.fail(fieldname, _("A value is required."))
            return None
        result = convert(value)
        if result is None:
            self.fail(fieldname, message)
        return result

    def limited(self, fieldname: str, n: int, text: str | None = None) -> str:
        """The cell's text (spaces collapsed), with an error when longer than ``n`` characters."""
        text = self.text(fieldname) if text is None else text
        if len(text) > n:
            self.fail(fieldname, _("The value is too long (at most %(n)d characters).") % {"n": n})
        return text


@dataclass(frozen=True)
class FileFormat:
    """An import's file: its columns, the sheet of its template and error file, an example
    for the template, the most data rows it may have (``max_rows()``, read at each check),
    and the reader that turns the bytes into a table after measuring them (``limits()``: a
    sheet may declare ``shape_rows`` rows, so that a longer file hears «too many rows» from
    the row check rather than a refusal of its shape)."""

    columns: tuple[Column, ...]
    sheet: str
    reader: Callable
    max_rows: Callable[[], int]
    example: tuple[tuple, ...] = ()
    shape_rows: int = 100_000
    max_columns: int = 64

    def limits(self) -> Limits:
        return Limits(
            max_bytes=settings.RESULTS_UPLOAD_MAX_BYTES,
            max_rows=max(self.max_rows() + 1, self.shape_rows),
            max_columns=self.max_columns,
        )

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def read(self, data: bytes, name: str):
        """The file's table; ``FileRefused`` when it is not a file of this kind or too large."""
        return self.reader(data, name, self.limits())

    def check_rows(self, table, validate: Callable[[Row], object]) -> Checked:
        """Every non-blank data row through ``validate(row)``: what it returns is kept as a
        valid row unless the row failed; the errors of every row are collected."""
        checked = Checked(columns=self.columns)
        positions, header_errors = match_header(table.header, self.columns)
        if header_errors:
            checked.errors = header_errors
            return checked
        limit = self.max_rows()
        if len(table.rows) > limit:
            checked.error(1, "", len(table.rows), _("Too many rows: at most %(max)d.") % {"max": limit})
            return checked
        checked.titles = {f: table.header[i] for f, i in positions.items() if table.header[i]}
        width = max(positions.values()) + 1
        line = 1
        for raw in table.rows:
            line += 1
            cells = list(raw) + [None] * (width - len(raw))
            if not any(cell_text(v) != "" for v in cells):
                continue
            row = Row(line, cells, positions, checked)
            value = validate(row)
            if not row.failed and value is not None:
                checked.rows.append(value)
        checked.rows_read = line - 1
        if not checked.rows and not checked.errors:
            checked.error(0, "", "", _("The file has no rows."))
        return checked

    def template_bytes(self) -> bytes:
        """An xlsx template: the headers and the filled example."""
        from core.xlsx import workbook_bytes

        return workbook_bytes({self.sheet: (self.headers, [list(r) for r in self.example])})

    def error_report(self, table, errors: list[dict]) -> tuple[bytes, str, str]:
        return error_report(table, errors, self.sheet)


def error_report(table, errors: list[dict], sheet: str) -> tuple[bytes, str, str]:
    """The same file with an «Ошибки» column added: (content, extension, content type)."""
    by_row: dict[int, list[str]] = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append(f"{e['column']}: {e['reason']}" if e["column"] else e["reason"])
    title = _("Errors")
    header = [*table.header, title]
    rows = []
    if 1 in by_row:
        rows.append(["" for _h in table.header] + ["; ".join(by_row[1])])
    for index, row in enumerate(table.rows):
        rows.append([*row, *([""] * (len(table.header) - len(row))), "; ".join(by_row.get(index + 2, []))])
    if table.kind == "csv":
        from core.xlsx import neutralise

        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=table.delimiter or ";")
        writer.writerow(header)
        # The same OWASP rule as the xlsx writer: no cell of the file may start a formula.
        writer.writerows([[neutralise(c) if isinstance(c, str) else c for c in row] for row in rows])
        return buf.getvalue().encode("utf-8-sig"), "csv", "text/csv; charset=utf-8"
    from core.xlsx import XLSX_MIME, workbook_bytes

    return workbook_bytes({sheet: (header, rows)}), "xlsx", XLSX_MIME
