"""Reading and validating a results file (RESULTS.md «The results file»).

``read_table`` turns an uploaded xlsx/csv into a header and rows of cell values, refusing
what is not a spreadsheet; the rows are produced on each pass (never held as a list of
lists).  ``RowChecker`` checks every row in one pass and yields the rows ready to write (ids
resolved) while it collects *every* error found (row, column, value, reason), so the import
can stream the rows to the database as they are checked; ``validate_rows`` is the same check
returning a list."""

from __future__ import annotations

import csv
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from assessment.models import MaxScore, Procedure, Subject, normalise_name
from core.spreadsheets import EXCEL_MAX_ROWS, Limits, SpreadsheetRefused, check_spreadsheet
from core.tabular import Column, FileRefused, import_error
from core.tabular import cell_number as _number
from core.tabular import cell_text as _text
from core.tabular import cell_year as _year
from core.tabular import error_report as _error_report
from core.tabular import match_header as _match_header

XLSX_SHEET = "Результаты"
ZIP_MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # 1 GB of XML at most


COLUMNS = [
    Column("school_code", "Код ОО", "school_code", True),
    Column("year", "Учебный год", "year", True),
    Column("procedure", "Процедура", "procedure", True),
    Column("subject", "Предмет", "subject", True),
    Column("grade", "Класс", "grade", True),
    Column("student_code", "Код участника", "student_code", True),
    Column("score", "Первичный балл", "score", True),
    Column("max_score", "Максимальный балл", "max_score", False),
    Column("mark", "Отметка", "mark", False),
    Column("term_mark", "Годовая отметка", "term_mark", False),
    Column("teacher_code", "Код учителя", "teacher_code", False),
    Column("class_letter", "Класс (литера)", "class_letter", False),
]
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}


@dataclass
class Table:
    kind: str  # "xlsx" or "csv"
    header: list[str]
    rows: list[list] | CsvRows | XlsxRows  # data rows (values as read), file row number = index + 2
    encoding: str = ""
    delimiter: str = ""


@dataclass
class Validated:
    rows: list[tuple] = field(default_factory=list)  # (school_id, year, procedure_id, subject_id, grade, ...)
    errors: list[dict] = field(default_factory=list)
    years: set[int] = field(default_factory=set)
    school_ids: set[int] = field(default_factory=set)
    rows_read: int = 0  # data rows of the file (blank ones included)
    rows_valid: int = 0


# --- reading ---------------------------------------------------------------------------------


def read_table(data: bytes, name: str, limits: Limits | None = None) -> Table:
    """The file's header and rows, after ``core.spreadsheets.check_spreadsheet`` measured it
    against ``limits`` (the results file's by default)."""
    limits = limits or results_limits()
    limit = limits.max_bytes or settings.RESULTS_UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise FileRefused(
            _("The file is too large: %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": len(data) / 2**20, "limit": limit / 2**20}
        )
    try:
        # Size and shape before any parser: a far cell makes calamine abort the whole process.
        shape = check_spreadsheet(data, name, limits)
    except SpreadsheetRefused as exc:
        raise FileRefused(str(exc)) from None
    if shape.kind == "xlsx":
        return _read_xlsx(data)
    return _read_csv(data)


def results_limits() -> Limits:
    """What a results file may hold: ASSESSMENT_MAX_ROWS rows (the row check says so row by
    row up to a sheet's worth), the results columns with room for per-task scores."""
    return Limits(
        max_bytes=settings.RESULTS_UPLOAD_MAX_BYTES,
        max_rows=max(settings.ASSESSMENT_MAX_ROWS + 1, EXCEL_MAX_ROWS),
        max_columns=256,
        max_cells=40_000_000,
        max_uncompressed=ZIP_MAX_UNCOMPRESSED,
    )


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML member inside the xlsx package."""
    workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = m.group(0)
        rid = re.search(r'\bId="([^"]+)"', tag)
        target = re.search(r'\bTarget="([^"]+)"', tag)
        if rid and target:
            path = target.group(1).lstrip("/")
            targets[rid.group(1)] = path if path.startswith("xl/") else f"xl/{path}"
    result = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        tag = m.group(0)
        sheet_name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\b\w+:id="([^"]+)"', tag)
        if sheet_name and rid and rid.group(1) in targets:
            result[_xml_unescape(sheet_name.group(1))] = targets[rid.group(1)]
    return result


def _xml_unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
    )


_FORMULA = re.compile(rb"<f[ >/]")


def _has_formulas(zf: zipfile.ZipFile, member: str) -> bool:
    """Whether the sheet's XML has a formula element (``<f>``, ``<f …>`` or ``<f/>``)."""
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(4 << 20):
            if _FORMULA.search(tail + chunk[:8]) or _FORMULA.search(chunk):
                return True
            tail = chunk[-4:]
    return False


class XlsxRows:
    """The data rows of a parsed sheet, produced by python-calamine on each pass (``iter_rows``)
    instead of converted to one list of lists; the same values and positions as
    ``to_python(skip_empty_area=False)``: rows from the first, columns from A."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.pad = sheet.start[1] if sheet.start else 0
        self.length = sheet.end[0] if sheet.end else 0

    def _all(self):
        rows = self.sheet.iter_rows()
        if self.pad:
            blank = [""] * self.pad
            return ([*blank, *row] for row in rows)
        return rows

    def header(self) -> list | None:
        return next(iter(self._all()), None)

    def __len__(self) -> int:
        return self.length

    def __iter__(self):
        rows = iter(self._all())
        next(rows, None)
        return rows


def _read_xlsx(data: bytes) -> Table:
    from python_calamine import CalamineWorkbook

    zf = zipfile.ZipFile(io.BytesIO(data))  # measured by check_spreadsheet: a readable package
    names = set(zf.namelist())
    try:
        paths = _sheet_paths(zf)
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = XLSX_SHEET if XLSX_SHEET in workbook.sheet_names else workbook.sheet_names[0]
        member = paths.get(sheet_name)
        # calamine parses the sheet without the GIL: look for formulas in the XML meanwhile.
        formulas: list = []
        scan = None
        if member and member in names:
            scan = threading.Thread(target=lambda: formulas.append(_scan(zf, member)), daemon=True)
            scan.start()
        try:
            sheet = workbook.get_sheet_by_name(sheet_name)
        finally:
            if scan is not None:
                scan.join()
        if formulas and formulas[0] is not False:
            if isinstance(formulas[0], Exception):
                raise formulas[0]
            raise FileRefused(_("The sheet contains formulas; paste the values only and upload again."))
        merged = getattr(sheet, "merged_cell_ranges", None) or []
        if any(start[0] == 0 for start, _end in merged):
            raise FileRefused(_("The header row contains merged cells; use one cell per column."))
        rows = XlsxRows(sheet)
        header = rows.header()
    except FileRefused:
        raise
    except Exception:
        raise FileRefused(_("The spreadsheet could not be read; it may be damaged."))
    if header is None:
        raise FileRefused(_("The file has no header row."))
    return Table("xlsx", [_text(v) for v in header], rows)


def _scan(zf: zipfile.ZipFile, member: str):
    """True/False from ``_has_formulas``, or the exception it raised (for the calling thread)."""
    try:
        return bool(_has_formulas(zf, member))
    except Exception as exc:  # a damaged member: reported as a damaged file by the caller
        return exc


_ALLOWED_EXTRA = set("«»№–—“”„‘’…°ЁёІі")


def _plausible(text: str) -> bool:
    for ch in set(text):
        o = ord(ch)
        if (32 <= o < 127) or ch in "\t\r\n" or 0x410 <= o <= 0x44F or ch in _ALLOWED_EXTRA or o == 0xA0:
            continue
        return False
    return True


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data:  # binary, or text that could be stored nowhere (PostgreSQL refuses NUL)
        raise FileRefused(_("The file is not a text (csv) file."))
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1251"), "windows-1251"
        except UnicodeDecodeError:
            raise FileRefused(_("The file's encoding is broken: use UTF-8 or Windows-1251."))
        if not _plausible(text):
            raise FileRefused(_("The file's encoding is broken: use UTF-8 or Windows-1251."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    rows = CsvRows(text, delimiter)
    try:
        header = rows.header()
    except csv.Error:
        raise FileRefused(_("The csv file is malformed."))
    if header is None:
        raise FileRefused(_("The file has no header row."))
    return Table("csv", [c.strip() for c in header], rows, encoding=encoding, delimiter=delimiter)


def _lines(text: str):
    """The lines of ``text`` with their ends, without copying the text into a StringIO buffer."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


class CsvRows:
    """The data rows of a csv text, parsed again on each pass instead of held as a list of lists
    (a million rows of cells as Python strings would take ≈ 1 GB; the text itself is ≈ 100 MB).
    The import parses them once, while it validates them; ``len()`` parses the text to count."""

    def __init__(self, text: str, delimiter: str):
        self.text, self.delimiter, self.length = text, delimiter, None

    def _reader(self):
        text = self.text
        if text.count("\r") != text.count("\r\n"):  # old Mac line ends: let StringIO split them
            return csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        return csv.reader(_lines(text), delimiter=self.delimiter)

    def header(self) -> list[str] | None:
        return next(self._reader(), None)

    def count(self) -> list[str] | None:
        """Parse the whole text once (raises csv.Error on a malformed file); returns the header row."""
        reader = self._reader()
        header = next(reader, None)
        self.length = sum(1 for _row in reader)
        return header

    def upper_bound(self) -> int:
        """At least the number of data rows, without parsing: the lines (ended by \\n, \\r\\n or
        \\r) less the header; a quoted line break or a blank line only makes it larger."""
        text = self.text
        ends = text.count("\n") + text.count("\r") - text.count("\r\n")
        return ends - 1 if text.endswith(("\n", "\r")) else ends

    def __len__(self) -> int:
        if self.length is None:
            self.count()
        return self.length

    def __iter__(self):
        reader = self._reader()
        next(reader, None)
        return reader


# --- validation -------------------------------------------------------------------------------


def _catalogue(model) -> dict[str, int]:
    result = {}
    for obj in model.objects.filter(is_active=True):
        for name in obj.names():
            result.setdefault(normalise_name(name), obj.pk)
    return result


def match_header(header: list[str]) -> tuple[dict[str, int], list[dict]]:
    """Field → column index, and the header errors (missing required, duplicates)."""
    return _match_header(header, COLUMNS)


_error = import_error


def _memo(fn):
    """Convert each distinct cell value once (codes, years, subjects, scores repeat a lot)."""
    cache: dict = {}

    def convert(value):
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = fn(value)
            return result
        except TypeError:
            return fn(value)

    return convert


def validate_rows(table: Table, schools: dict[str, int], known_codes: set[str] | None = None) -> Validated:
    """Check every row; ``schools`` maps the codes the user may import for to school ids,
    ``known_codes`` all registered codes (to tell «unknown» from «outside your area»).
    Returns every valid row (even when other rows have errors) and every error."""
    checker = RowChecker(table, schools, known_codes)
    checker.result.rows = list(checker.rows(after_errors=True))
    return checker.result


_NO = object()  # «this cell needs the full check» in the memo tables of the fast path


class RowChecker:
    """One pass over the rows: ``rows()`` yields each valid row ready to write, ``(school_id,
    year, procedure_id, subject_id, grade, student_code, score, max_score, mark, term_mark,
    teacher_code, class_letter, task_scores)`` (the last the array's text, or None), and collects every error into ``result.errors``.

    The catalogues are read when the checker is made, so iterating ``rows()`` touches no
    database (the import writes from another thread meanwhile).  Each column has a converter
    ``value -> (result, error reason or None)``, memoised per distinct value; a row whose cells
    have all been seen valid before costs a few dictionary look-ups (the fast path), any other
    row gets the full check with its errors."""

    def __init__(self, table: Table, schools: dict[str, int], known_codes: set[str] | None = None):
        self.table = table
        self.result = Validated()
        self.positions, header_errors = match_header(table.header)
        self.ready = False
        if header_errors:
            self.result.errors = header_errors
            return
        limit = settings.ASSESSMENT_MAX_ROWS
        rows = table.rows
        bound = rows.upper_bound() if hasattr(rows, "upper_bound") else len(rows)
        if bound > limit and len(rows) > limit:
            self.result.errors = [_error(1, "", len(rows), _("Too many rows: at most %(max)d.") % {"max": limit})]
            return
        self.ready = True
        self._prepare(schools, known_codes)
        self._prepare_tasks()

    def _prepare(self, schools, known_codes) -> None:
        procedures = _catalogue(Procedure)
        subjects = _catalogue(Subject)
        self.max_scores = {(m.procedure_id, m.subject_id, m.grade): m.max_score for m in MaxScore.objects.all()}
        header, positions = self.table.header, self.positions
        self.titles = {f: header[i] or COLUMN_BY_FIELD[f].header for f, i in positions.items()}
        msg_required = self.msg_required = _("A value is required.")
        msg_school_scope = _("The school is outside your area: you may not import its results.")
        self.msg_above = _("Score is above the maximum (%(max)s).")
        self.msg_max_unknown = _(
            "Maximum score is required: the catalogue does not know it for this procedure, subject and grade."
        )
        msg_long = self.msg_long = _("The value is too long (at most %(n)d characters).")
        self.msg_dup = _("The same student, procedure, subject, grade and year already appear in row %(row)d.")

        def required(fn, message):
            def convert(v):
                if _text(v) == "":
                    return None, msg_required
                value = fn(v)
                return (value, None) if value is not None else (None, message)

            return _memo(convert)

        def school(v):
            code = _text(v)
            if not code:
                return None, msg_required
            if code in schools:
                return schools[code], None
            return None, msg_school_scope if known_codes and code in known_codes else _("Unknown school code.")

        def grade(v):
            number = _number(v)
            return int(number) if number is not None and number.is_integer() and 1 <= number <= 11 else None

        def score(v):
            number = _number(v)
            return number if number is not None and number >= 0 else None

        def optional_max(v):
            if _text(v) == "":
                return None, None
            number = _number(v)
            return (
                (number, None)
                if number is not None and number > 0
                else (None, _("Maximum score must be a number above 0."))
            )

        def mark(v):
            if _text(v) == "":
                return None, None
            number = _number(v)
            return (int(number), None) if number in (2, 3, 4, 5) else (None, _("Mark must be 2, 3, 4 or 5."))

        def text(limit):
            def convert(v):
                value = _text(v)
                return (value, None) if len(value) <= limit else (value, msg_long % {"n": limit})

            return _memo(convert)

        self.converters = {
            "school_code": _memo(school),
            "year": required(_year, _("Academic year must look like 2022/2023, 2022-2023 or 2022.")),
            "procedure": required(lambda v: procedures.get(normalise_name(_text(v))), _("Unknown procedure.")),
            "subject": required(lambda v: subjects.get(normalise_name(_text(v))), _("Unknown subject.")),
            "grade": required(grade, _("Grade must be a whole number from 1 to 11.")),
            "score": required(score, _("Score must be a number not below 0.")),
            "max_score": _memo(optional_max),
            "mark": _memo(mark),
            "term_mark": _memo(mark),
            "teacher_code": text(64),
            "class_letter": text(10),
        }
        order = [
            "school_code",
            "year",
            "procedure",
            "subject",
            "grade",
            "score",
            "max_score",
            "mark",
            "term_mark",
            "teacher_code",
            "class_letter",
        ]
        self.plan = [(f, positions[f], self.converters[f]) for f in order if f in positions]
        self.width = max(positions.values()) + 1

    # -- task scores (TASKS.md §2)

    def _prepare_tasks(self) -> None:
        """The task columns of the header («Задание 5.1», «5(2)», «12») and the stored plans: a
        row of a work with a plan must have the plan's maximum; its filled task cells are checked
        against the plan and packed into the row's task-score array."""
        from django.db import connection

        from skills.fileformat import is_label
        from skills.models import normalise_label
        from skills.services import plan_shapes

        self.task_columns = []
        for i, title in enumerate(self.table.header):
            if i in self.positions.values() or title is None:
                continue
            text = str(title).strip()
            if normalise_name(text).startswith("задание"):
                text = text.strip()[len("задание") :]
            label = normalise_label(text)
            if is_label(label):
                self.task_columns.append((i, label, str(title).strip()))
        self.plans = plan_shapes()
        self.has_task_part = bool(self.task_columns or self.plans)
        if self.task_columns:
            self.width = max(self.width, max(i for i, _l, _t in self.task_columns) + 1)
        self.pg_arrays = connection.vendor == "postgresql"
        self.task_cell_memo: dict = {}
        # Names of the works for the messages, read now: iterating rows() touches no database
        # (the PostgreSQL import writes over the same connection from another thread meanwhile).
        self.procedure_codes = dict(Procedure.objects.values_list("id", "code"))
        self.subject_names = dict(Subject.objects.values_list("id", "name"))

    def _work(self, key: tuple) -> str:
        from skills.services import work_label

        return work_label(key, self.procedure_codes, self.subject_names)

    def _task_cell(self, value):
        """A task cell → a whole number ≥ 0, None when empty, or _NO when it is not one."""
        memo = self.task_cell_memo
        try:
            return memo[value]
        except KeyError:
            pass
        except TypeError:
            value = _text(value)
        if value is None or _text(value) == "":
            result = None
        else:
            number = _number(value)
            result = int(number) if number is not None and number.is_integer() and number >= 0 else _NO
        memo[value] = result
        return result

    def _task_part(self, row: list, n: int, values: tuple):
        """The row's task-score array as the database column's text (None: no task scores), or
        _NO after recording its errors."""
        key = (values[1], values[2], values[3], values[4])
        plan = self.plans.get(key)
        errors = self.result.errors
        bad = False
        if plan is not None and abs(plan.total - values[7]) > 1e-9:
            column = self.titles.get("max_score", COLUMN_BY_FIELD["max_score"].header)
            errors.append(
                _error(
                    n,
                    column,
                    f"{values[7]:g}",
                    _("The maximum score of %(work)s is %(total)d by its task plan (the sum of its tasks' maxima).")
                    % {"work": self._work(key), "total": plan.total},
                )
            )
            bad = True
        filled = []
        for i, label, title in self.task_columns:
            cell = row[i]
            if cell is None or cell == "":
                continue
            score = self._task_cell(cell)
            if score is None:
                continue
            filled.append((i, label, title, cell, score))
        if not filled:
            return _NO if bad else None
        if plan is None:
            i, label, title, cell, _score = filled[0]
            errors.append(_error(n, title, cell, _("No task plan for %(work)s.") % {"work": self._work(key)}))
            return _NO
        scores: list = [None] * plan.width
        for _i, label, title, cell, score in filled:
            task = plan.tasks.get(label)
            if task is None:
                errors.append(
                    _error(
                        n,
                        title,
                        cell,
                        _("Task %(task)s is not in the plan of %(work)s.") % {"task": label, "work": self._work(key)},
                    )
                )
                bad = True
                continue
            slot, maximum = task
            if score is _NO or score > maximum:
                errors.append(
                    _error(
                        n,
                        title,
                        cell,
                        _("A task score must be a whole number from 0 to the task's maximum (%(max)d).")
                        % {"max": maximum},
                    )
                )
                bad = True
                continue
            scores[slot] = score
        if bad:
            return _NO
        done = [s for s in scores if s is not None]
        if len(done) == len(plan.tasks) and abs(sum(done) - values[6]) > 1e-9:
            errors.append(
                _error(
                    n,
                    self.titles["score"],
                    f"{values[6]:g}",
                    _(
                        "Every task of the plan is scored, and the task scores add up to %(sum)d, not to the primary score %(score)s."
                    )
                    % {"sum": sum(done), "score": f"{values[6]:g}"},
                )
            )
            return _NO
        if self.pg_arrays:
            return "{" + ",".join("NULL" if s is None else str(s) for s in scores) + "}"
        return "[" + ",".join("null" if s is None else str(s) for s in scores) + "]"

    # -- the full check of one row (the rules; the fast path only ever accepts what this accepts)

    def _check(self, row: list, n: int) -> tuple | None:
        """The row's values (school_id, year, procedure_id, subject_id, grade, student, score,
        max_score, mark, term_mark, teacher, class) or None after recording its errors."""
        errors, titles, positions = self.result.errors, self.titles, self.positions
        values = {}
        bad = False
        for fieldname, i, convert in self.plan:
            value, reason = convert(row[i])
            if reason is not None:
                errors.append(_error(n, titles[fieldname], row[i], reason))
                bad = True
            values[fieldname] = value
        student_at = positions["student_code"]
        student = _text(row[student_at])
        if not student:
            errors.append(_error(n, titles["student_code"], row[student_at], self.msg_required))
            bad = True
        elif len(student) > 64:
            errors.append(_error(n, titles["student_code"], row[student_at], self.msg_long % {"n": 64}))
            bad = True
        max_score = values.get("max_score")
        if max_score is None and ("max_score" not in positions or _text(row[positions["max_score"]]) == ""):
            p, s, g = values["procedure"], values["subject"], values["grade"]
            if p is not None and s is not None and g is not None:
                max_score = self.max_scores.get((p, s, g)) or self.max_scores.get((p, s, None))
                if max_score is None:
                    column = titles.get("max_score", COLUMN_BY_FIELD["max_score"].header)
                    errors.append(_error(n, column, "", self.msg_max_unknown))
                    bad = True
        sc = values["score"]
        if sc is not None and max_score is not None and sc > max_score:
            errors.append(
                _error(n, titles["score"], row[positions["score"]], self.msg_above % {"max": f"{max_score:g}"})
            )
            bad = True
        if bad:
            return None
        return (
            values["school_code"],
            values["year"],
            values["procedure"],
            values["subject"],
            values["grade"],
            student,
            sc,
            max_score,
            values.get("mark"),
            values.get("term_mark"),
            values.get("teacher_code", ""),
            values.get("class_letter", ""),
        )

    def _group(self, cells: tuple):
        """The resolved (school_id, year, procedure_id, subject_id, grade, max_score) of a row's
        group cells, or _NO where any of them needs the full check (it has an error)."""
        conv = self.converters
        out = []
        for fieldname, value in zip(("school_code", "year", "procedure", "subject", "grade"), cells, strict=False):
            result, reason = conv[fieldname](value)
            if reason is not None:
                return _NO
            out.append(result)
        if "max_score" in self.positions and _text(cells[5]) != "":
            max_score, reason = conv["max_score"](cells[5])
            if reason is not None:
                return _NO
        else:
            p, s, g = out[2], out[3], out[4]
            max_score = self.max_scores.get((p, s, g)) or self.max_scores.get((p, s, None))
            if max_score is None:
                return _NO
        return (*out, max_score)

    def _cell_memo(self, fieldname: str) -> dict:
        """Cell value → converted value, or _NO when the cell has an error (filled as seen)."""
        convert = self.converters[fieldname]

        class Memo(dict):
            def __missing__(memo, value):
                result, reason = convert(value)
                memo[value] = result = _NO if reason is not None else result
                return result

        return Memo()

    def rows(self, *, after_errors: bool = False) -> Iterator[tuple]:
        """Check every row, yielding the valid ones; once an error is found, only the errors are
        collected (unless ``after_errors``): an invalid file is written nowhere."""
        if not self.ready:
            return
        result, errors, positions = self.result, self.result.errors, self.positions
        width, msg_dup = self.width, self.msg_dup
        years, school_ids = result.years, result.school_ids
        seen: dict[tuple, int] = {}
        groups: dict = {}
        at = [positions.get(f) for f in ("school_code", "year", "procedure", "subject", "grade", "max_score")]
        i_school, i_year, i_proc, i_subj, i_grade, i_max = at
        i_student, i_score = positions["student_code"], positions["score"]
        optional = {f: positions.get(f) for f in ("mark", "term_mark", "teacher_code", "class_letter")}
        i_mark, i_term, i_teacher, i_class = optional.values()
        score_of = self._cell_memo("score")
        mark_of = self._cell_memo("mark")
        term_of = self._cell_memo("term_mark")
        teacher_of = self._cell_memo("teacher_code")
        class_of = self._cell_memo("class_letter")
        n = 1
        try:
            for row in self.table.rows:
                n += 1
                try:
                    if len(row) < width:
                        raise LookupError
                    cells = (row[i_school], row[i_year], row[i_proc], row[i_subj], row[i_grade])
                    cells += (row[i_max] if i_max is not None else None,)
                    group = groups.get(cells)
                    if group is None:
                        group = groups[cells] = self._group(cells)
                    if group is _NO:
                        raise LookupError
                    student = row[i_student]
                    student = student.strip() if type(student) is str else _text(student)
                    if not student or len(student) > 64:
                        raise LookupError
                    sc = score_of[row[i_score]]
                    if sc is _NO or sc > group[5]:
                        raise LookupError
                    mark = None if i_mark is None else mark_of[row[i_mark]]
                    term = None if i_term is None else term_of[row[i_term]]
                    teacher = "" if i_teacher is None else teacher_of[row[i_teacher]]
                    letter = "" if i_class is None else class_of[row[i_class]]
                    if mark is _NO or term is _NO or teacher is _NO or letter is _NO:
                        raise LookupError
                    values = (*group[:5], student, sc, group[5], mark, term, teacher, letter)
                except (LookupError, TypeError):  # an error somewhere, a short row or an odd cell
                    if len(row) < width:
                        row = [*row, *([None] * (width - len(row)))]
                    if not any(v is not None and v != "" for v in row):
                        continue
                    values = self._check(row, n)
                    if values is None:
                        continue
                if self.has_task_part:
                    tasks = self._task_part(row, n, values)
                    if tasks is _NO:
                        continue
                    values = (*values, tasks)
                else:
                    values = (*values, None)
                key = values[:6]
                first = seen.setdefault(key, n)
                if first != n:
                    errors.append(_error(n, self.titles["student_code"], values[5], msg_dup % {"row": first}))
                    continue
                result.rows_valid += 1
                years.add(values[1])
                school_ids.add(values[0])
                if after_errors or not errors:
                    yield values
        except csv.Error:
            raise FileRefused(_("The csv file is malformed."))
        finally:
            result.rows_read = n - 1


def error_report(table: Table, errors: list[dict]) -> tuple[bytes, str, str]:
    """The same file with an «Ошибки» column added: (content, extension, content type)."""
    return _error_report(table, errors, XLSX_SHEET)


def template_bytes() -> bytes:
    """An xlsx template: the headers and one filled example row."""
    from core.xlsx import workbook_bytes

    example = ["12345", "2024/2025", "ВПР", "Математика", 5, "S-0001", 14, 20, 4, 4, "T-01", "А"]
    return workbook_bytes({XLSX_SHEET: ([c.header for c in COLUMNS], [example])})
