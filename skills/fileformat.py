"""The task-plan file (TASKS.md §1): the same file rules as the results file — it is read by
``assessment.fileformat.read_table`` (size and shape checks before any parser, encodings,
delimiter, formulas, merged header cells), headers match ignoring case, spaces and «ё» —
and every row goes through the one row loop of ``core.tabular.FileFormat`` to this file's row
validator, every error collected (row, column, value, reason in Russian).

The checks against the database (the catalogue's maximum, results already imported, labels
with scores a new plan would drop) are in ``skills.services.plan_import_check``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from assessment.fileformat import _catalogue, read_table
from assessment.models import Procedure, Subject
from core.tabular import (
    Checked,
    Column,
    FileFormat,
    FileRefused,
    Row,
    cell_number,
    cell_text,
    cell_year,
    normalise_name,
)
from skills.models import normalise_label, normalise_skill

__all__ = ["PLAN_FILE", "Checked", "FileRefused", "check_table", "plans_of"]

COLUMNS = (
    Column("year", "Учебный год", "year", True),
    Column("procedure", "Процедура", "procedure", True),
    Column("subject", "Предмет", "subject", True),
    Column("grade", "Класс", "grade", True),
    Column("task", "Задание", "task", True),
    Column("max_score", "Максимальный балл", "max_score", True),
    Column("skill", "Умение", "skill", True),
    Column("kes_code", "Код КЭС", "kes_code"),
    Column("topic", "Тема", "topic"),
)

# The plan file: through the results reader (size and shape first, ``core.spreadsheets``), at
# most SKILLS_PLAN_MAX_ROWS tasks, a dozen columns.
PLAN_FILE = FileFormat(
    columns=COLUMNS,
    sheet="План",
    reader=read_table,
    max_rows=lambda: settings.SKILLS_PLAN_MAX_ROWS,
    example=(
        ("2024/2025", "ВПР", "Математика", 5, "1", 1, "Умение выполнять арифметические действия", "1.1;1.2", "Числа"),
        ("2024/2025", "ВПР", "Математика", 5, "5(1)", 1, "Умение решать текстовые задачи", "1.3;1.4", "Задачи"),
        ("2024/2025", "ВПР", "Математика", 5, "5(2)", 2, "Умение решать текстовые задачи", "1.4;1.5", "Задачи"),
    ),
)


@dataclass
class TaskRow:
    line: int
    key: tuple  # (year, procedure_id, subject_id, grade): the work
    label: str
    max_score: int
    skill: str  # as written (trimmed, spaces collapsed)
    skill_key: str
    kes_codes: str
    topic: str

    @property
    def year(self) -> int:
        return self.key[0]


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


def plans_of(checked: Checked) -> dict[tuple, PlanRows]:
    """The valid rows grouped into one PlanRows per work, in the file's order."""
    plans: dict[tuple, PlanRows] = {}
    for t in checked.rows:
        plan = plans.get(t.key)
        if plan is None:
            plan = plans[t.key] = PlanRows(*t.key)
        plan.lines.append(t.line)
        plan.tasks.append(t)
    return plans


def is_label(label: str) -> bool:
    """Whether a normalised label looks like a task's: «1», «5.1», «12.3.1»."""
    parts = label.split(".")
    return bool(label) and all(p.isdigit() for p in parts)


def _grade(v):
    n = cell_number(v)
    return int(n) if n is not None and n.is_integer() and 1 <= n <= 11 else None


def _label(v):
    label = normalise_label(v)
    return label if is_label(label) and len(label) <= 20 else None


def _max_score(v):
    n = cell_number(v)
    return int(n) if n is not None and n.is_integer() and 0 < n <= 1000 else None


def check_table(table) -> Checked:
    """Check every row of a plan file (``plans_of`` groups the valid ones per work)."""
    procedures, subjects = _catalogue(Procedure), _catalogue(Subject)
    seen: dict[tuple, int] = {}

    def validate(row: Row) -> TaskRow:
        year = row.required("year", cell_year, _("Academic year must look like 2022/2023, 2022-2023 or 2022."))
        procedure = row.required(
            "procedure", lambda v: procedures.get(normalise_name(cell_text(v))), _("Unknown procedure.")
        )
        subject = row.required("subject", lambda v: subjects.get(normalise_name(cell_text(v))), _("Unknown subject."))
        grade = row.required("grade", _grade, _("Grade must be a whole number from 1 to 11."))
        label = row.required(
            "task", _label, _("A task label must look like «1», «5.1» or «5(2)» (at most 20 characters).")
        )
        max_score = row.required("max_score", _max_score, _("Maximum score must be a whole number above 0."))
        skill = row.text("skill")
        if not skill:
            row.fail("skill", _("A value is required."))
        elif len(row.limited("skill", 500, skill)) <= 500 and not normalise_skill(skill):
            row.fail("skill", _("The skill has no text."))
        kes = row.limited(
            "kes_code", 200, ";".join(p.strip() for p in cell_text(row["kes_code"]).split(";") if p.strip())
        )
        topic = row.limited("topic", 500)
        if None not in (year, procedure, subject, grade, label):
            first = seen.setdefault((year, procedure, subject, grade, label), row.line)
            if first != row.line:
                row.fail("task", _("The task label already appears in row %(row)d for the same work.") % {"row": first})
        key = (year, procedure, subject, grade)
        return TaskRow(row.line, key, label, max_score, skill, normalise_skill(skill), kes, topic)

    return PLAN_FILE.check_rows(table, validate)
