"""The context file (CONTEXT.md §1): the same file rules as the results file — it is read by
``assessment.fileformat.read_table`` (size and shape checks, encodings, delimiter, formulas,
merged header cells), headers match ignoring case, spaces and «ё» — and every row goes through
the one row loop of ``core.tabular.FileFormat`` to this file's row validator, every error
collected (row, column, value, reason in Russian)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from assessment.fileformat import read_table
from core.tabular import Checked, Column, FileFormat, FileRefused, Row, cell_number, cell_text, cell_year
from socialcontext.models import INDICATOR_FIELDS

__all__ = ["CONTEXT_FILE", "VALUE_FIELDS", "Checked", "FileRefused", "check_table"]

COLUMNS = (
    Column("school_code", "Код ОО", "school_code", True),
    Column("year", "Учебный год", "year", True),
    Column("students", "Обучающихся", "students"),
    Column("higher_education", "Оба родителя с высшим образованием, %", "higher_education"),
    Column("single_parent", "Неполные семьи, %", "single_parent"),
    Column("on_register", "На профилактическом учёте, %", "on_register"),
    Column("non_native", "Русский язык не родной, %", "non_native"),
    Column("special_needs", "С ОВЗ, %", "special_needs"),
)
# The written values of a row, in this order (after the school id and the year).
VALUE_FIELDS = ("students", *INDICATOR_FIELDS)

# The context file: through the results reader (size and shape first, ``core.spreadsheets``),
# a few thousand schools, a dozen columns.
CONTEXT_FILE = FileFormat(
    columns=COLUMNS,
    sheet="Контекст",
    reader=read_table,
    max_rows=lambda: settings.CONTEXT_MAX_ROWS,
    shape_rows=200_000,
    example=(("12345", "2024/2025", 512, 31.5, 18.2, 2.1, 4.0, 3.5),),
)


@dataclass
class ContextRow:
    """A valid row: where it stands in the file and its values."""

    line: int
    school_id: int
    school_code: str
    year: int
    values: dict  # VALUE_FIELDS → number or None («unknown»)


def _share(value) -> tuple[float | None, str | None]:
    text = cell_text(value)
    if text == "":
        return None, None
    number = cell_number(text.rstrip("%").strip()) if isinstance(value, str) else cell_number(value)
    if number is None:
        return None, _("The value must be a number (a percent from 0 to 100).")
    if not 0 <= number <= 100:
        return None, _("A percent must be from 0 to 100.")
    return number, None


def _students(value) -> tuple[int | None, str | None]:
    if cell_text(value) == "":
        return None, None
    number = cell_number(value)
    if number is None or not number.is_integer() or number < 0:
        return None, _("The number of students must be a whole number not below 0.")
    if number > 100_000:
        return None, _("The number of students is implausibly large.")
    return int(number), None


def check_table(table, schools: dict[str, int], known_codes: set[str]) -> Checked:
    """Check every row of ``table``.  ``schools`` maps the codes the user may change to school
    ids; ``known_codes`` are all registered codes (to tell «unknown» from «outside your area»)."""
    seen: dict[tuple[int, int], int] = {}

    def validate(row: Row) -> ContextRow:
        code = cell_text(row["school_code"])
        school_id = schools.get(code)
        if not code:
            row.fail("school_code", _("A value is required."))
        elif school_id is None and code in known_codes:
            row.fail("school_code", _("The school is outside your area: you may not change its data."))
        elif school_id is None:
            row.fail("school_code", _("Unknown school code."))
        year = row.required("year", cell_year, _("Academic year must look like 2022/2023, 2022-2023 or 2022."))
        values = {}
        for fieldname in VALUE_FIELDS:
            value, reason = (_students if fieldname == "students" else _share)(row[fieldname])
            if reason:
                row.fail(fieldname, reason)
            values[fieldname] = value
        if school_id is not None and year is not None:
            first = seen.setdefault((school_id, year), row.line)
            if first != row.line:
                row.fail(
                    "school_code",
                    _("The same school and academic year already appear in row %(row)d.") % {"row": first},
                )
        return ContextRow(row.line, school_id, code, year, values)

    return CONTEXT_FILE.check_rows(table, validate)
