"""The task-plan file (TASKS.md §1): the same file rules as the results file — it is read by
``assessment.fileformat.read_table`` (size and shape checks before any parser, encodings,
delimiter, formulas, merged header cells), headers match ignoring case, spaces and «ё» —
and every row is checked, every error collected (row, column, value, reason in Russian).

The checks against the database (the catalogue's maximum, results already imported, labels
with scores a new plan would drop) are in ``skills.services.plan_import_check``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from assessment.fileformat import FileRefused, Table, _catalogue, _number, _text, _year, error_report
from assessment.fileformat import read_table as _read_table
from assessment.models import Procedure, Subject, normalise_name
from core.spreadsheets import Limits
from skills.models import normalise_label, normalise_skill

SHEET = "План"

__all__ = ["COLUMNS", "Checked", "FileRefused", "check_table", "plan_error_report", "read_table", "template_bytes"]


def read_table(data: bytes, name: str) -> Table:
    """The plan file's header and rows, measured first (``core.spreadsheets.check_spreadsheet``,
    through the results reader): at most SKILLS_PLAN_MAX_ROWS tasks, a dozen columns."""
    limits = Limits(
        max_bytes=settings.RESULTS_UPLOAD_MAX_BYTES,
        max_rows=max(settings.SKILLS_PLAN_MAX_ROWS + 1, 100_000),
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
    Column("year", "Учебный год", "year", True),
    Column("procedure", "Процедура", "procedure", True),
    Column("subject", "Предмет", "subject", True),
    Column("grade", "Класс", "grade", True),
    Column("task", "Задание", "task", True),
    Column("max_score", "Максимальный балл", "max_score", True),
    Column("skill", "Умение", "skill", True),
    Column("kes_code", "Код КЭС", "kes_code"),
    Column("topic", "Тема", "topic"),
]
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
_HEADER_KEYS = {normalise_name(name): c.field for c in COLUMNS for name in (c.header, c.alias)}


@dataclass
class TaskRow:
    line: int
    label: str
    max_score: int
    skill: str  # as written (trimmed, spaces collapsed)
    skill_key: str
    kes_codes: str
    topic: str


@dataclass
class PlanRows:
    """The rows of one work in the file."""

    year: int
    procedure_id: int
    subject_id: int
    grade: int
    lines: list[int] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.year, self.procedure_id, self.subject_id, self.grade)

    @property
    def total(self) -> int:
        return sum(t.max_score for t in self.tasks)


@dataclass
class Checked:
    plans: dict[tuple, PlanRows] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    rows_read: int = 0
    rows_valid: int = 0
    titles: dict[str, str] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted({k[0] for k in self.plans})

    def title(self, fieldname: str) -> str:
        return self.titles.get(fieldname) or COLUMN_BY_FIELD[fieldname].header


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


def is_label(label: str) -> bool:
    """Whether a normalised label looks like a task's: «1», «5.1», «12.3.1»."""
    parts = label.split(".")
    return bool(label) and all(p.isdigit() for p in parts)


def check_table(table: Table) -> Checked:
    """Check every row of a plan file; the valid rows are grouped into one PlanRows per work."""
    checked = Checked()
    positions, header_errors = _match_header(table.header)
    if header_errors:
        checked.errors = header_errors
        return checked
    limit = settings.SKILLS_PLAN_MAX_ROWS
    if len(table.rows) > limit:
        checked.errors = [_error(1, "", len(table.rows), _("Too many rows: at most %(max)d.") % {"max": limit})]
        return checked
    checked.titles = titles = {f: table.header[i] or COLUMN_BY_FIELD[f].header for f, i in positions.items()}
    procedures, subjects = _catalogue(Procedure), _catalogue(Subject)
    width = max(positions.values()) + 1
    msg_required = _("A value is required.")
    seen: dict[tuple, int] = {}
    line = 1
    for raw in table.rows:
        line += 1
        row = list(raw) + [None] * (width - len(raw))
        if not any(v is not None and _text(v) != "" for v in row):
            continue
        before = len(checked.errors)

        def cell(fieldname, row=row):
            return row[positions[fieldname]] if fieldname in positions else None

        def fail(fieldname, reason, at=line):
            checked.errors.append(_error(at, titles.get(fieldname, fieldname), cell(fieldname), reason))

        def required(fieldname, convert, message):
            value = cell(fieldname)
            if _text(value) == "":
                fail(fieldname, msg_required)
                return None
            result = convert(value)
            if result is None:
                fail(fieldname, message)
            return result

        year = required("year", _year, _("Academic year must look like 2022/2023, 2022-2023 or 2022."))
        procedure = required("procedure", lambda v: procedures.get(normalise_name(_text(v))), _("Unknown procedure."))
        subject = required("subject", lambda v: subjects.get(normalise_name(_text(v))), _("Unknown subject."))

        def grade_of(v):
            n = _number(v)
            return int(n) if n is not None and n.is_integer() and 1 <= n <= 11 else None

        grade = required("grade", grade_of, _("Grade must be a whole number from 1 to 11."))

        def label_of(v):
            label = normalise_label(v)
            return label if is_label(label) and len(label) <= 20 else None

        label = required(
            "task", label_of, _("A task label must look like «1», «5.1» or «5(2)» (at most 20 characters).")
        )

        def max_of(v):
            n = _number(v)
            return int(n) if n is not None and n.is_integer() and 0 < n <= 1000 else None

        max_score = required("max_score", max_of, _("Maximum score must be a whole number above 0."))
        skill_text = " ".join(_text(cell("skill")).split())
        if not skill_text:
            fail("skill", msg_required)
        elif len(skill_text) > 500:
            fail("skill", _("The value is too long (at most %(n)d characters).") % {"n": 500})
        elif not normalise_skill(skill_text):
            fail("skill", _("The skill has no text."))
        kes = ";".join(p.strip() for p in _text(cell("kes_code")).split(";") if p.strip())
        if len(kes) > 200:
            fail("kes_code", _("The value is too long (at most %(n)d characters).") % {"n": 200})
        topic = " ".join(_text(cell("topic")).split())
        if len(topic) > 500:
            fail("topic", _("The value is too long (at most %(n)d characters).") % {"n": 500})
        if None not in (year, procedure, subject, grade, label):
            first = seen.setdefault((year, procedure, subject, grade, label), line)
            if first != line:
                fail(
                    "task",
                    _("The task label already appears in row %(row)d for the same work.") % {"row": first},
                )
        if len(checked.errors) == before:
            key = (year, procedure, subject, grade)
            plan = checked.plans.get(key)
            if plan is None:
                plan = checked.plans[key] = PlanRows(year, procedure, subject, grade)
            plan.lines.append(line)
            plan.tasks.append(
                TaskRow(line, label, max_score, skill_text[:500], normalise_skill(skill_text), kes, topic[:500])
            )
            checked.rows_valid += 1
    checked.rows_read = line - 1
    if not checked.plans and not checked.errors:
        checked.errors.append(_error(0, "", "", _("The file has no rows.")))
    return checked


def template_bytes() -> bytes:
    """An xlsx template: the headers and a filled example work."""
    from core.xlsx import workbook_bytes

    rows = [
        ["2024/2025", "ВПР", "Математика", 5, "1", 1, "Умение выполнять арифметические действия", "1.1;1.2", "Числа"],
        ["2024/2025", "ВПР", "Математика", 5, "5(1)", 1, "Умение решать текстовые задачи", "1.3;1.4", "Задачи"],
        ["2024/2025", "ВПР", "Математика", 5, "5(2)", 2, "Умение решать текстовые задачи", "1.4;1.5", "Задачи"],
    ]
    return workbook_bytes({SHEET: ([c.header for c in COLUMNS], rows)})


def plan_error_report(table: Table, errors: list[dict]) -> tuple[bytes, str, str]:
    """The uploaded file with an «Ошибки» column, its sheet named as the plan file's."""
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
