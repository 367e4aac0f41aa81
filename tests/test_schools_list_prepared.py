"""The schools page's rows through prepared queries (schools/views.py ``SchoolListView``,
core/tables.py ``PreparedTableData``): the same page as FilterView's queryset for every filter,
sort and page; the key holds every filter's value (check mode, the suite's, fails otherwise);
nothing is built once a page's statements are kept, and new data is seen at once."""

import re

import pytest
from django.test.utils import override_settings

from core.compiled import PreparedQueryMismatch, forget_prepared
from schools.filters import SchoolFilterSet
from tests.factories import OrderFactory, SchoolFactory
from tests.test_working_table import furnish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_prepared")]


@pytest.fixture
def list_world(world):
    order = OrderFactory(municipality=world.a1)
    for n, school in enumerate((world.a1_school1, world.a1_school2, world.a2_school1)):
        furnish(school, n, order, world.curator)
    for n in range(3, 9):  # more than a page of 4 (?per_page=4)
        furnish(SchoolFactory(municipality=world.a2 if n % 2 else world.a1, code=f"PT{n}"), n, order, world.curator)
    return world


def body(client, query: str) -> str:
    html = client.get("/schools/" + query).content.decode()
    html = re.sub(r'(nonce|csrfmiddlewaretoken" value|csrf-token" content)="[^"]*"', r'\1=""', html)
    return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', html)


# One value per filter of SchoolFilterSet (the test below checks that none is missing), a
# second one where the first selects nothing, sorts by every column both ways, pages.
FILTERS = {
    "q": ["СШ", "Лицей"],
    "municipality": ["{a1}", "{a2}"],
    "code": ["A1S1", "PT3"],
    "kind": ["sosh", "lyceum"],
    "is_rural": ["true", "false"],
    "is_active": ["true", "false"],
    "status": ["low_results", "leader"],
    "index_max": ["-0.95", "0"],
    "flags_min": ["2", "1"],
    "risk_level": ["low", "unfilled"],
    "curator": ["иванова", "Петров"],
    "has_curator": ["true", "false"],
    "visit": ["recent", "never"],
    "progress": ["low", "none"],
}
QUERIES = [
    "",
    "?page=2&per_page=4",
    "?page=99&per_page=4",
    "?page=abc",
    "?sort=nonsense",
    "?index_max=abc",
    "?municipality=999999",
    *(f"?sort={s}{c}&per_page=4&page=2" for c in ("short_name", "municipality", "statuses_now") for s in ("", "-")),
    *(
        f"?sort={s}{c}"
        for c in ("school_index", "flags_count", "risk_rank", "curators", "last_visit", "roadmap_progress")
        for s in ("", "-")
    ),
    "?visit=overdue&sort=-flags_count&per_page=4",
    "?q=СШ&risk_level=low&has_curator=true",
]


def test_the_filters_tested_are_the_filtersets():
    assert set(FILTERS) == set(SchoolFilterSet.base_filters)


def test_every_page_is_filterviews(list_world, login, monkeypatch):
    """Each variant as FilterView renders it from its queryset (``prepared_rows`` off, no
    prepared queries), then through the prepared statements: compiled (first request), kept
    (second), in check mode."""
    from schools.views import SchoolListView

    w = list_world
    client = login(w.regional)  # two municipalities: the municipality filter and column shown
    queries = [*QUERIES, *(f"?{name}={v}" for name, values in FILTERS.items() for v in values)]
    queries = [q.format(a1=w.a1.pk, a2=w.a2.pk) for q in queries]
    with override_settings(OPORA_PREPARED_QUERIES="off"), monkeypatch.context() as plain:
        plain.setattr(SchoolListView, "prepared_rows", False)
        expected = {q: body(client, q) for q in queries}
    assert len(set(expected.values())) > len(queries) // 2  # the variants differ
    assert "СШ № 2" in expected[""] and "Лицей № 9" in expected[""]
    for mode in ("on", "on", "check"):
        with override_settings(OPORA_PREPARED_QUERIES=mode):
            for q in queries:
                assert body(client, q) == expected[q], (mode, q)


def test_a_key_without_the_filters_values_is_caught(list_world, login, monkeypatch):
    """The key of the rows must hold every filter's value: without them, the second filter
    would be served the first one's rows — check mode refuses."""
    from schools.views import SchoolListView

    client = login(list_world.coordinator)
    for name, (first, second) in FILTERS.items():
        if name == "municipality":
            continue  # not on a one-municipality reader's form (its value changes nothing)
        client.get(f"/schools/?{name}={first}")
        client.get(f"/schools/?{name}={second}")  # the real key: no mismatch
    forget_prepared()
    monkeypatch.setattr(SchoolListView, "rows_key", lambda view: ("schools.list", "everyone"))
    client.get("/schools/?risk_level=low")
    with pytest.raises(PreparedQueryMismatch):
        client.get("/schools/?risk_level=unfilled")


@override_settings(OPORA_PREPARED_QUERIES="on")
def test_nothing_is_built_once_kept_and_new_data_is_read(list_world, login, monkeypatch):
    from schools import views

    built = []
    working_table = views.working_table
    monkeypatch.setattr(views, "working_table", lambda *a, **k: built.append(1) or working_table(*a, **k))
    client = login(list_world.coordinator)
    first = client.get("/schools/?sort=-flags_count&per_page=4")
    assert built  # compiled once
    built.clear()
    again = client.get("/schools/?sort=-flags_count&per_page=4")
    assert not built
    assert [r.pk for r in again.context["table"].page.object_list.data] == [
        r.pk for r in first.context["table"].page.object_list.data
    ]
    assert again.context["table"].paginator.count == first.context["table"].paginator.count == 6
    new = SchoolFactory(municipality=list_world.a1, code="NEW1")
    furnish(new, 41, OrderFactory(municipality=list_world.a1), list_world.curator)  # the most flags: 2
    page = client.get("/schools/?sort=-flags_count&per_page=4")
    assert not built
    assert page.context["table"].paginator.count == 7
    assert new.pk in [r.pk for r in page.context["table"].page.object_list.data]
    assert client.get("/schools/?sort=flags_count").status_code == 200
    assert built  # another ordering: another statement


def test_the_export_is_every_row(list_world, login):
    from io import BytesIO

    from openpyxl import load_workbook

    client = login(list_world.coordinator)
    sheet = load_workbook(BytesIO(client.get("/schools/?export=xlsx&per_page=2").content)).active
    assert sheet.max_row - 1 == client.get("/schools/").context["table"].paginator.count == 6


@pytest.mark.django_db(transaction=True)
def test_a_page_from_the_fragment_cache_reads_no_rows(world, login, monkeypatch):
    """Cache on: the table's HTML of a page seen before comes from the fragment cache, and
    its rows (read only when the table renders them) are not read at all."""
    from schools import views

    read = []
    attach = views.attach_statuses_now
    monkeypatch.setattr(views, "attach_statuses_now", lambda rows, year: read.append(len(rows)) or attach(rows, year))
    client = login(world.coordinator)
    first = client.get("/schools/?sort=-short_name").content.decode()
    assert read == [3]
    again = client.get("/schools/?sort=-short_name").content.decode()
    assert read == [3]  # nothing read the second time
    assert again.count("<tr") == first.count("<tr") == 4
