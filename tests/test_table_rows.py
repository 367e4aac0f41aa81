"""core/table.html renders a table's rows in Python ({% table_rows %}): the same HTML as
django-tables2's own row block, cell for cell — fixed and per-record attributes, links,
booleans, localised and unlocalised numbers, escaping."""

import re

import django_tables2 as tables
import pytest
from django.template import engines
from django.test import RequestFactory
from django_tables2 import RequestConfig

from schools.models import School, SchoolStatus
from schools.selectors import working_table
from schools.tables import SchoolTable
from tests.factories import OrderFactory, SchoolFactory

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


class StatusTable(tables.Table):
    """Choices (``get_kind_display``), accessors through relations, an empty relation with its
    default, a template column, a link column with its own text, a many-to-many column and a
    callable default: each goes through {% table_rows %}'s cell plan or its fallback."""

    school = tables.Column(linkify=True)
    municipality = tables.Column(accessor="school__municipality__name")
    kind = tables.Column()
    year_to = tables.Column(default="…")
    end_order = tables.Column(accessor="end_order__number", default=lambda: "нет")
    note = tables.TemplateColumn("<i>{{ record.year_from }}</i>{{ value }}")
    edit = tables.LinkColumn("schools:school-detail", args=[tables.A("school_id")], text="изменить")
    confirmed_by = tables.ManyToManyColumn()
    missing = tables.Column(accessor="school__no_such_attribute", empty_values=())
    display = tables.Column(accessor="get_kind_display")

    class Meta:
        model = SchoolStatus
        fields = []
        sequence = (
            "school",
            "municipality",
            "kind",
            "year_to",
            "end_order",
            "note",
            "edit",
            "confirmed_by",
            "missing",
            "display",
        )


class DictTable(tables.Table):
    name = tables.Column()
    nested = tables.Column(accessor="inner__value")
    count = tables.Column(localize=True)

    def render_count(self, value, record):
        return f"{value} ({record['name']})"


def render(table, template_name: str, request) -> str:
    html = engines["django"].get_template(template_name).render({"table": table}, request)
    tbody = re.search(r"<tbody.*?</tbody>", html, re.DOTALL).group(0)
    return re.sub(r">\s+<", "><", tbody).strip()


@pytest.mark.django_db
@pytest.mark.parametrize("table_class", [SchoolTable, TrickyTable])
def test_rows_are_rendered_as_django_tables2_renders_them(world, table_class):
    SchoolFactory(municipality=world.a1, code="<b>X&Y</b>", short_name='«Школа» "№ 5"', students_count=12345)
    request = RequestFactory().get("/")
    schools = School.objects.order_by("code")
    # The schools table is the coordinator's working table: its rows carry the figures.
    table = table_class(working_table(schools) if table_class is SchoolTable else schools)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    ours, theirs = render(table, "core/table.html", request), render(table, ORIGINAL, request)
    assert ours == theirs
    # escaped (the schools table shows the name; its code is in the xlsx only)
    assert ("&quot;№ 5&quot;" if table_class is SchoolTable else "&lt;b&gt;X&amp;Y&lt;/b&gt;") in ours
    if table_class is TrickyTable:
        assert 'data-code="A1S1"' in ours and 'data-code="A1S2"' in ours  # per-record attributes
        assert ">12345<" in ours  # the number as Django renders it


@pytest.mark.django_db
def test_an_empty_table_says_so(world):
    table = SchoolTable(School.objects.none())
    html = engines["django"].get_template("core/table.html").render({"table": table}, RequestFactory().get("/"))
    assert "table-empty" in html


@pytest.mark.django_db
def test_other_kinds_of_cells_are_rendered_as_django_tables2_renders_them(world):
    order, end = OrderFactory(municipality=world.a1), OrderFactory(municipality=world.a1, number="<7>")
    open_status = SchoolStatus.objects.create(
        school=world.a1_school1, kind="low_results", year_from=2023, order=order, note="<b>!</b>"
    )
    SchoolStatus.objects.create(
        school=world.a1_school2, kind="risk", year_from=2022, year_to=2023, order=order, end_order=end
    )
    open_status.confirmed_by.add(order, end)
    request = RequestFactory().get("/")
    table = StatusTable(SchoolStatus.objects.select_related("school__municipality", "end_order").order_by("pk"))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    ours = render(table, "core/table.html", request)
    assert ours == render(table, ORIGINAL, request)
    assert "нет" in ours and "&lt;7&gt;" in ours and "изменить" in ours and "&lt;b&gt;!&lt;/b&gt;" in ours

    rows = [{"name": "<a>", "inner": {"value": 1.5}, "count": 12345}, {"name": "b", "inner": None, "count": None}]
    table = DictTable(rows)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    ours = render(table, "core/table.html", request)
    assert ours == render(table, ORIGINAL, request)
    assert "&lt;a&gt;" in ours and "12345 (&lt;a&gt;)" in ours


@pytest.mark.django_db
def test_the_working_tables_own_cells_are_django_tables2s(world, monkeypatch):
    """SchoolTable writes its cells itself (``cell_formatters``): every figure present and
    absent, several statuses, an old visit, flags with their link, a name to escape — the same
    rows as django-tables2's template, and each of its columns went that way."""
    from tests.test_working_table import RESULTS, YEAR, furnish

    order = OrderFactory(municipality=world.a1)
    tricky = SchoolFactory(municipality=world.a1, code="T1", short_name='<b>«Школа» "№ 5" & Co</b>')
    for n, school in enumerate((world.a1_school1, world.a1_school2, tricky)):
        furnish(school, n + 55 * (school is tricky), order, world.curator)  # the tricky one: 65 days ago
    SchoolStatus.objects.create(school=world.a1_school2, kind="leader", year_from=YEAR, order=order)
    used: dict[str, int] = {}
    own = SchoolTable.cell_formatters

    def counted(table):
        def wrap(name, formatter):
            return lambda record: used.__setitem__(name, used.get(name, 0) + 1) or formatter(record)

        return {name: wrap(name, f) for name, f in own(table).items()}

    monkeypatch.setattr(SchoolTable, "cell_formatters", counted)
    request = RequestFactory().get("/")
    for results_year in (RESULTS, None):
        used.clear()
        schools = working_table(School.objects.filter(municipality=world.a1), YEAR, results_year or 0)
        table = SchoolTable(schools, year=YEAR, results_year=results_year)
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        ours, theirs = render(table, "core/table.html", request), render(table, ORIGINAL, request)
        assert ours == theirs
        assert set(used) == {c.name for c in table.columns} - {"municipality"} and set(used.values()) == {4}
        assert "&lt;b&gt;«Школа» &quot;№ 5&quot; &amp; Co&lt;/b&gt;" in ours and "text-danger" in ours
        assert ("&amp;year=" in ours) is bool(results_year)
        assert ours.count('title="') == 7  # four statuses, three visits


class HeadTable(tables.Table):
    """Header cases: a column not orderable, a header to escape, the thead's own attributes."""

    code = tables.Column(verbose_name="<Код>", orderable=False)
    short_name = tables.Column(verbose_name="Школа & Co", attrs={"th": {"data-x": '"q"'}})
    students_count = tables.Column()

    class Meta:
        model = School
        fields = ["code", "short_name", "students_count"]
        attrs = {"class": "table", "thead": {"class": "head"}}


@pytest.mark.django_db
@pytest.mark.parametrize("table_class", [SchoolTable, TrickyTable, StatusTable, HeadTable])
@pytest.mark.parametrize("query", ["", "?sort=-short_name&q=%D1%88%26x&page=1", "?sort=code&prefix=1"])
def test_the_header_is_django_tables2s(world, table_class, query):
    """{% table_head %}: the whole table up to its body, whitespace and all, as django-tables2's
    template writes it — sort links keeping the query string, sorted columns' classes, a
    header without a link, escaping, the thead's attributes, no header at all."""
    request = RequestFactory().get("/schools/" + query)
    data = {
        SchoolTable: working_table(School.objects.order_by("code")),
        TrickyTable: School.objects.order_by("code"),
        HeadTable: School.objects.order_by("code"),
        StatusTable: SchoolStatus.objects.all(),
    }[table_class]
    for show_header in (True, False):
        table = table_class(data, show_header=show_header)
        RequestConfig(request, paginate={"per_page": 2}).configure(table)
        ours = engines["django"].get_template("core/table.html").render({"table": table}, request)
        theirs = engines["django"].get_template(ORIGINAL).render({"table": table}, request)
        assert ours.split("<tbody")[0] == theirs.split("<tbody")[0]
        assert ("<thead" in ours) is show_header
        if table_class is HeadTable and show_header:
            assert '<thead class="head">' in ours and "&lt;Код&gt;" in ours and "Школа &amp; Co" in ours
            assert "q=%D1%88%26x" in ours or query != "?sort=-short_name&q=%D1%88%26x&page=1"


@pytest.mark.django_db
def test_a_table_rendered_in_the_pages_context_is_render_tables(world, login, monkeypatch):
    """{% render_table_here %} gives what {% render_table %} gives (a template column reads
    the page's context through the table, as there) without running the context processors
    a second time: the schools page builds its menu once."""
    from django.template import RequestContext

    from core import navigation

    OrderFactory(municipality=world.a1)
    SchoolStatus.objects.create(
        school=world.a1_school1, kind="low_results", year_from=2023, order=OrderFactory(municipality=world.a1)
    )
    request = RequestFactory().get("/?sort=-kind")
    request.user = world.coordinator

    def table():  # one per rendering: a table counts its rows (even, odd) as it renders them
        statuses = SchoolStatus.objects.select_related("school__municipality", "end_order").order_by("pk")
        return RequestConfig(request, paginate={"per_page": 50}).configure(StatusTable(statuses))

    django = engines["django"].engine
    here = django.from_string("{% load opora %}{% render_table_here table %}")
    theirs = django.from_string("{% load django_tables2 %}{% render_table table %}")
    html = here.render(RequestContext(request, {"table": table()}))
    assert html == theirs.render(RequestContext(request, {"table": table()}))
    assert "<i>2023</i>" in html and "?sort=kind" in html
    built = []
    menu_for = navigation.menu_for
    monkeypatch.setattr(navigation, "menu_for", lambda request: built.append(1) or menu_for(request))
    assert login(world.coordinator).get("/schools/").status_code == 200
    assert len(built) == 1
    built.clear()  # a narrow list (core/object_list.html) renders its table within the page too
    page = login(world.coordinator).get("/schools/statuses/")
    assert page.status_code == 200 and b"<table" in page.content
    assert len(built) == 1
