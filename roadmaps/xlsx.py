"""The roadmap xlsx template: one row per indicator (an activity without indicators has one
row with the indicator columns empty).  Export writes it; ``parse_template`` reads it with
python-calamine and checks every row, collecting all errors in Russian."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.spreadsheets import Limits, SpreadsheetRefused, read_upload
from core.xlsx import unneutralise, workbook_bytes

COLUMNS = [
    ("goal", "Цель"),
    ("task", "Задача"),
    ("activity", "Мероприятие"),
    ("responsible_name", "Ответственный (ФИО)"),
    ("responsible_position", "Должность ответственного"),
    ("start_date", "Дата начала"),
    ("due_date", "Срок"),
    ("expected_result", "Ожидаемый результат"),
    ("risk_factor", "Фактор риска"),
    ("indicator", "Показатель"),
    ("unit", "Единица"),
    ("baseline", "Базовое значение"),
    ("target", "Целевое значение"),
]
HEADERS = [h for _k, h in COLUMNS]


def roadmap_rows(roadmap) -> list[list]:
    from roadmaps.selectors import roadmap_tree

    rows = []
    for goal in roadmap_tree(roadmap):
        for task in goal.tasks.all():
            for a in task.activities.all():
                base = [
                    goal.title,
                    task.title,
                    a.title,
                    a.responsible_name,
                    a.responsible_position,
                    a.start_date,
                    a.due_date,
                    a.expected_result,
                    a.risk_factor.name if a.risk_factor_id else "",
                ]
                indicators = list(a.indicators.all()) or [None]
                for i in indicators:
                    if i is None:
                        rows.append([*base, "", "", None, None])
                    else:
                        rows.append(
                            [
                                *base,
                                i.name,
                                i.unit,
                                None if i.baseline is None else float(i.baseline),
                                None if i.target is None else float(i.target),
                            ]
                        )
    return rows


def roadmap_workbook(roadmap) -> bytes:
    return workbook_bytes({"Дорожная карта": (HEADERS, roadmap_rows(roadmap))})


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return unneutralise(str(v).strip())


def _date(v):
    if v in (None, ""):
        return None
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    text = str(v).strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _decimal(v):
    if v in (None, ""):
        return None
    try:
        return Decimal(str(v).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ValueError(str(v)) from None


# A roadmap is tens of rows: a few thousand is generous; the template has a dozen columns.
TEMPLATE_LIMITS = Limits(max_rows=5_000, max_columns=64, kinds=("xlsx",))


def parse_template(fileobj, roadmap) -> tuple[list[dict], list[str]]:
    """Rows as dicts and the list of errors (row numbers as in the spreadsheet)."""
    from python_calamine import CalamineWorkbook

    from roadmaps.services import activity_date_errors
    from schools.models import RiskFactor

    try:
        data = read_upload(fileobj, TEMPLATE_LIMITS)  # size and shape before calamine sees a byte
    except SpreadsheetRefused as exc:
        if exc.code == "kind":
            return [], [_("The file is not an xlsx workbook made from the roadmap template.")]
        return [], [str(exc)]
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        table = sheet.to_python(skip_empty_area=False)
    except Exception:  # any unreadable file is one user error
        return [], [_("The file is not an xlsx workbook made from the roadmap template.")]
    if not table or [_text(c) for c in table[0][: len(HEADERS)]] != HEADERS:
        return [], [_("The first row must be the template's header: %(cols)s.") % {"cols": "; ".join(HEADERS)}]
    factors = {f.name.lower(): f for f in RiskFactor.objects.all()}
    factors.update({f.short_name.lower(): f for f in RiskFactor.objects.exclude(short_name="")})
    rows, errors = [], []
    for n, raw in enumerate(table[1:], start=2):
        cells = list(raw) + [None] * (len(COLUMNS) - len(raw))
        if all(_text(c) == "" for c in cells[: len(COLUMNS)]):
            continue
        row = {key: cells[i] for i, (key, _h) in enumerate(COLUMNS)}
        row_errors = []
        for key in ("goal", "task", "activity", "responsible_name", "responsible_position", "expected_result"):
            row[key] = _text(row[key])
        for key, label in (("goal", "Цель"), ("task", "Задача"), ("activity", "Мероприятие")):
            if not row[key]:
                row_errors.append(_("column «%(col)s» is empty") % {"col": label})
        for key, label in (("start_date", "Дата начала"), ("due_date", "Срок")):
            try:
                row[key] = _date(row[key])
            except ValueError:
                row_errors.append(_("«%(col)s»: «%(v)s» is not a date (ДД.ММ.ГГГГ)") % {"col": label, "v": row[key]})
                row[key] = None
        for message in activity_date_errors(roadmap, row["start_date"], row["due_date"]).values():
            row_errors.append(str(message))
        factor = _text(row["risk_factor"])
        row["risk_factor"] = None
        if factor:
            row["risk_factor"] = factors.get(factor.lower())
            if row["risk_factor"] is None:
                row_errors.append(_("unknown risk factor «%(v)s»") % {"v": factor})
        row["indicator"], row["unit"] = _text(row["indicator"]), _text(row["unit"])
        for key, label in (("baseline", "Базовое значение"), ("target", "Целевое значение")):
            try:
                row[key] = _decimal(row[key])
            except ValueError:
                row_errors.append(_("«%(col)s»: «%(v)s» is not a number") % {"col": label, "v": row[key]})
                row[key] = None
        if not row["indicator"] and (row["target"] is not None or row["unit"]):
            row_errors.append(_("the indicator has a unit or target but no name"))
        if row_errors:
            errors.append(_("Row %(n)s: %(errors)s.") % {"n": n, "errors": "; ".join(row_errors)})
        else:
            rows.append(row)
    if not rows and not errors:
        errors.append(_("The file has no rows to import."))
    return rows, errors
