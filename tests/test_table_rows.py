"""core/table.html renders a table's rows in Python ({% table_rows %}): the same HTML as
django-tables2's own row block, cell for cell — fixed and per-record attributes, links,
booleans, localised and unlocalised numbers, escaping."""

import re

import django_tables2 as tables
import pytest
from django.template import engines
from django.test import RequestFactory
from django_tables2 import RequestConfig

from schools.models import School
from schools.tables import SchoolTable
from tests.factories import SchoolFactory

ORIGINAL = "django_tables2/bootstrap5-responsive.html"


class TrickyTable(tables.Table):
    code = tables.Column(attrs={"td": {"class": "text-end", "data-code": lambda record: record.code}})
    short_name = tables.Column(linkify=True)
    students_count = tables.Column(localize=True)
    teachers_count = tables.Column(localize=False)
    is_rural = tables.BooleanColumn()

    class Meta:
        model = School
        fields = ["code", "short_name", "students_count", "teachers_count", "is_rural"]
        row_attrs = {"data-id": lambda record: record.pk}


def render(table, template_name: str, request) -> str:
    html = engines["django"].get_template(template_name).render({"table": table}, request)
    tbody = re.search(r"<tbody.*?</tbody>", html, re.DOTALL).group(0)
    return re.sub(r">\s+<", "><", tbody).strip()


@pytest.mark.django_db
@pytest.mark.parametrize("table_class", [SchoolTable, TrickyTable])
def test_rows_are_rendered_as_django_tables2_renders_them(world, table_class):
    SchoolFactory(municipality=world.a1, code="<b>X&Y</b>", short_name='«Школа» "№ 5"', students_count=12345)
    request = RequestFactory().get("/")
    table = table_class(School.objects.order_by("code"))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    ours, theirs = render(table, "core/table.html", request), render(table, ORIGINAL, request)
    assert ours == theirs
    assert "&lt;b&gt;X&amp;Y&lt;/b&gt;" in ours  # escaped
    if table_class is TrickyTable:
        assert 'data-code="A1S1"' in ours and 'data-code="A1S2"' in ours  # per-record attributes
        assert ">12345<" in ours  # the number as Django renders it


@pytest.mark.django_db
def test_an_empty_table_says_so(world):
    table = SchoolTable(School.objects.none())
    html = engines["django"].get_template("core/table.html").render({"table": table}, RequestFactory().get("/"))
    assert "table-empty" in html
