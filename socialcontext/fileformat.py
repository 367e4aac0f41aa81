"""The context file (CONTEXT.md §1): the same file rules as the results file — it is read by
``assessment.fileformat.read_table`` (size and shape checks, encodings, delimiter, formulas,
merged header cells), headers match ignoring case, spaces and «ё» — and every row is checked,
every error collected (row, column, value, reason in Russian)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from assessment.fileformat import FileRefused, Table, _number, _text, _year, error_report
from assessment.fileformat import read_table as _read_table
from assessment.models import normalise_name
from core.spreadsheets import Limits
from socialcontext.models import INDICATOR_FIELDS

SHEET = "Контекст"

__all__ = ["COLUMNS", "Checked", "FileRefused", "check_table", "context_error_report", "read_table", "template_bytes"]


def read_table(data: bytes, name: str) -> Table:
    """The context file's header and rows, measured first (``core.spreadsheets``): a few
    thousand schools, a dozen columns."""
    limits = Limits(
        max_bytes=settings.RESULTS_UPLOAD_MAX_BYTES,
        max_rows=max(settings.CONTEXT_MAX_ROWS + 1, 200_000),
        max_columns=64,
    )
    return _read_table(data, name, limits)


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    alias: str
    required: bool = False


COLUMNS = [
    Column("school_code", "Код ОО", "school_code", True),
    Column("year", "Учебный год", "year", True),
    Column("students", "Обучающихся", "students"),
    Column("higher_education", "Оба родителя с высшим образованием, %", "higher_education"),
    Column("single_parent", "Неполные семьи, %", "single_parent"),
    Column("on_register", "На профилактическом учёте, %", "on_register"),
    Column("non_native", "Русский язык не родной, %", "non_native"),
    Column("special_needs", "С ОВЗ, %", "special_needs"),
]
_HEADER_KEYS = {normalise_name(name): c.field for c in COLUMNS for name in (c.header, c.alias)}
# The written values of a row, in this order (after the school id and the year).
VALUE_FIELDS = ("students", *INDICATOR_FIELDS)


@dataclass
class Row:
    """A valid row: where it stands in the file and its values."""

    line: int
    school_id: int
    school_code: str
    year: int
    values: dict  # VALUE_FIELDS → number or None («unknown»)


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    rows_read: int = 0

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows})

    @property
    def school_ids(self) -> set[int]:
        return {r.school_id for r in self.rows}


def _error(row: int, column: str, value, reason: str) -> dict:
    return {"row": row, "column": str(column), "value": _text(value)[:200], "reason": str(reason)}


def _match_header(header: list[str]) -> tuple[dict[str, int], list[dict]]:
    positions: dict[str, int] = {}
    errors = []
    for i, title in enumerate(header):
        key = _HEADER_KEYS.get(normalise_name(title or ""))
        if key is None:
            continue
        if key in positions:
            errors.append(_error(1, title, title, _("The column appears twice.")))
            continue
        positions[key] = i
    for col in COLUMNS:
        if col.required and col.field not in positions:
            errors.append(_error(1, col.header, "", _("Required column is missing.")))
    return positions, errors


def _share(value) -> tuple[float | None, str | None]:
    text = _text(value)
    if text == "":
        return None, None
    number = _number(text.rstrip("%").strip()) if isinstance(value, str) else _number(value)
    if number is None:
        return None, _("The value must be a number (a percent from 0 to 100).")
    if not 0 <= number <= 100:
        return None, _("A percent must be from 0 to 100.")
    return number, None


def _students(value) -> tuple[int | None, str | None]:
    if _text(value) == "":
        return None, None
    number = _number(value)
    if number is None or not number.is_integer() or number < 0:
        return None, _("The number of students must be a whole number not below 0.")
    if number > 100_000:
        return None, _("The number of students is implausibly large.")
    return int(number), None


def check_table(table: Table, schools: dict[str, int], known_codes: set[str]) -> Checked:
    """Check every row of ``table``.  ``schools`` maps the codes the user may change to school
    ids; ``known_codes`` are all registered codes (to tell «unknown» from «outside your area»)."""
    checked = Checked()
    positions, header_errors = _match_header(table.header)
    if header_errors:
        checked.errors = header_errors
        return checked
    limit = settings.CONTEXT_MAX_ROWS
    if len(table.rows) > limit:
        checked.errors = [_error(1, "", len(table.rows), _("Too many rows: at most %(max)d.") % {"max": limit})]
        return checked
    titles = {f: table.header[i] or f for f, i in positions.items()}
    width = max(positions.values()) + 1
    seen: dict[tuple[int, int], int] = {}
    msg_required = _("A value is required.")
    line = 1
    for raw in table.rows:
        line += 1
        row = list(raw) + [None] * (width - len(raw))
        if not any(v is not None and _text(v) != "" for v in row):
            continue
        before = len(checked.errors)

        def fail(fieldname, value, reason, at=line):
            checked.errors.append(_error(at, titles[fieldname], value, reason))

        code_cell = row[positions["school_code"]]
        code = _text(code_cell)
        school_id = schools.get(code)
        if not code:
            fail("school_code", code_cell, msg_required)
        elif school_id is None:
            if code in known_codes:
                fail("school_code", code_cell, _("The school is outside your area: you may not change its data."))
            else:
                fail("school_code", code_cell, _("Unknown school code."))
        year_cell = row[positions["year"]]
        year = _year(year_cell)
        if _text(year_cell) == "":
            fail("year", year_cell, msg_required)
        elif year is None:
            fail("year", year_cell, _("Academic year must look like 2022/2023, 2022-2023 or 2022."))
        values = {}
        for fieldname in VALUE_FIELDS:
            if fieldname not in positions:
                values[fieldname] = None
                continue
            cell = row[positions[fieldname]]
            value, reason = (_students if fieldname == "students" else _share)(cell)
            if reason:
                fail(fieldname, cell, reason)
            values[fieldname] = value
        if school_id is not None and year is not None:
            first = seen.setdefault((school_id, year), line)
            if first != line:
                fail(
                    "school_code",
                    code_cell,
                    _("The same school and academic year already appear in row %(row)d.") % {"row": first},
                )
        if len(checked.errors) == before:
            checked.rows.append(Row(line, school_id, code, year, values))
    checked.rows_read = line - 1
    return checked


def template_bytes() -> bytes:
    """An xlsx template: the headers and one filled example row."""
    from core.xlsx import workbook_bytes

    example = ["12345", "2024/2025", 512, 31.5, 18.2, 2.1, 4.0, 3.5]
    return workbook_bytes({SHEET: ([c.header for c in COLUMNS], [example])})


def context_error_report(table: Table, errors: list[dict]) -> tuple[bytes, str, str]:
    """The uploaded file with an «Ошибки» column (``assessment.fileformat.error_report``), its
    sheet named as the context file's."""
    content, ext, mime = error_report(table, errors)
    if ext == "xlsx":
        import io

        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(content))
        wb.worksheets[0].title = SHEET
        buf = io.BytesIO()
        wb.save(buf)
        content = buf.getvalue()
    return content, ext, mime
