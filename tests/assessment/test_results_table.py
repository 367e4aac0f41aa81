"""The municipal results page's table of school indices (assessment.tables.SchoolIndexTable),
made cheaper per row (bench/README.md, session 7, h20e): its cells, its xlsx and the page's
query are the same as with django-tables2's own columns."""

import re

import django_tables2 as tables
import pytest
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django_tables2 import RequestConfig

from assessment import tables as assessment_tables
from assessment.models import SchoolIndex
from assessment.tables import KeptBooleanColumn, SchoolIndexTable, SchoolLinkColumn, school_results_url
from core.xlsx import table_rows
from tests.factories import SchoolFactory

YEAR = 2023


class PlainSchoolLinkColumn(SchoolLinkColumn):
    def render(self, record, value, table):  # as before: format_html per cell
        return format_html('<a href="{}">{}</a>', school_results_url(table, record.school_id), value)


class ReferenceTable(tables.Table):
    """The table as django-tables2's own columns render it (SchoolIndexTable before): no kept
    cells, no renderers of its own for the count and the reason (the model's property
    through the accessor)."""

    year = assessment_tables.YearColumn(verbose_name=SchoolIndexTable.base_columns["year"].verbose_name)
    municipality = tables.Column(
        verbose_name=SchoolIndexTable.base_columns["municipality"].verbose_name, order_by=("municipality__name",)
    )
    school = PlainSchoolLinkColumn(verbose_name=SchoolIndexTable.base_columns["school"].verbose_name)
    code = tables.Column(accessor="school__code", verbose_name=SchoolIndexTable.base_columns["code"].verbose_name)
    value = assessment_tables.NumberColumn(verbose_name=SchoolIndexTable.base_columns["value"].verbose_name)
    n_keys = tables.Column(verbose_name=SchoolIndexTable.base_columns["n_keys"].verbose_name)
    candidate = tables.BooleanColumn(verbose_name=SchoolIndexTable.base_columns["candidate"].verbose_name)
    candidate_reason = tables.Column(
        verbose_name=SchoolIndexTable.base_columns["candidate_reason"].verbose_name, orderable=False, empty_values=()
    )

    class Meta(SchoolIndexTable.Meta):  # the same model, columns' order and ordering
        pass

    render_value = SchoolIndexTable.render_value  # not changed by the kept cells


def _tbody(table, request) -> str:
    html = engines["django"].get_template("core/table.html").render({"table": table}, request)
    return re.search(r"<tbody.*?</tbody>", html, re.DOTALL).group(0)


@pytest.fixture
def indices(world):
    rows = []
    for n, (name, n_keys, candidate, below_p10, below_limit) in enumerate(
        [
            ('«Школа» "№ 5" & <b>', 12345, True, True, True),
            ("СШ № 6", 3, True, True, False),
            ("СШ № 7", 0, True, False, True),
            ("СШ № 8", 1000000, False, False, False),
            ("СШ № 9", 7, False, False, False),
        ]
    ):
        school = SchoolFactory(municipality=world.a1, code=f"IX{n}", short_name=name)
        rows.append(
            SchoolIndex.objects.create(
                school=school,
                municipality=world.a1,
                year=YEAR,
                value=-1.5 + n,
                n_keys=n_keys,
                p10=-1,
                candidate=candidate,
                below_p10=below_p10,
                below_limit=below_limit,
            )
        )
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("exclude", [(), ("municipality",)])
def test_rows_and_xlsx_are_those_of_django_tables2_columns(indices, language, exclude):
    request = RequestFactory().get("/")
    queryset = SchoolIndex.objects.select_related("school", "municipality").order_by("value")
    with translation.override(language):
        ours, theirs = SchoolIndexTable(queryset, exclude=exclude), ReferenceTable(queryset, exclude=exclude)
        for table in (ours, theirs):
            RequestConfig(request, paginate={"per_page": 50}).configure(table)
        html = _tbody(ours, request)
        assert html == _tbody(theirs, request)
        assert html == _tbody(SchoolIndexTable(queryset, exclude=exclude), request)  # kept cells again
        assert table_rows(ours) == table_rows(theirs)
    assert "&laquo;" not in html and "«Школа» &quot;№ 5&quot; &amp; &lt;b&gt;" in html  # escaped once
    assert html.count('<span class="true">✔</span>') == 3 and html.count('<span class="false">✘</span>') == 2
    headers, rows = table_rows(ours)
    assert 12345 in rows[0] and 1000000 in rows[3]  # the xlsx keeps numbers, not the page's text
    reasons = [row[headers.index(str(SchoolIndexTable.base_columns["candidate_reason"].verbose_name))] for row in rows]
    assert reasons == [i.candidate_reason for i in sorted(indices, key=lambda i: i.value)]


@pytest.mark.django_db
def test_a_boolean_cell_is_rendered_once_per_value(indices, monkeypatch):
    calls = []
    render = tables.BooleanColumn.render

    def counted(self, *args, **kwargs):
        calls.append(1)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(tables.BooleanColumn, "render", counted)
    request = RequestFactory().get("/")
    table = SchoolIndexTable(SchoolIndex.objects.select_related("school", "municipality"))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    _tbody(table, request)
    assert len(calls) == 2  # True and False, not one per row
    assert isinstance(table.base_columns["candidate"], KeptBooleanColumn)


@pytest.mark.django_db
def test_kept_cells_are_per_table(indices):
    """The count's and the reason's cells are kept per table: another table in another
    language renders its own."""
    request = RequestFactory().get("/")
    queryset = SchoolIndex.objects.select_related("school", "municipality").order_by("value")
    seen = {}
    for language in ("ru", "en"):
        with translation.override(language):
            table = SchoolIndexTable(queryset)
            RequestConfig(request, paginate={"per_page": 50}).configure(table)
            seen[language] = _tbody(table, request)
            assert len(table._kept_cells) == 5 + 4  # five distinct counts, four combinations of reasons
    assert ">12345<" in seen["ru"] and ">12345<" in seen["en"]
    assert "индекс ниже порога" in seen["ru"] and "index below the limit" in seen["en"]


@pytest.mark.django_db
def test_one_municipality_page_reads_no_municipality_per_row(indices, world, login):
    client = login(world.coordinator)
    url = reverse("assessment:municipality") + f"?year={YEAR}"
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()
    assert "СШ № 6" in html
    rows_sql = [
        q["sql"] for q in ctx.captured_queries if 'FROM "assessment_schoolindex"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert rows_sql and all('"schools_municipality"' not in sql for sql in rows_sql)
    # a reader of several municipalities sees the column, and its rows bring the municipality
    with CaptureQueriesContext(connection) as ctx:
        html = login(world.regional).get(url).content.decode()
    assert "Округ А1" in html
    rows_sql = [
        q["sql"] for q in ctx.captured_queries if 'FROM "assessment_schoolindex"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert rows_sql and all('"schools_municipality"' in sql for sql in rows_sql)
