"""The list pages' shared machinery (core/generic.py, core/templates/core/table.html):
an empty table says so in a row, one COUNT per page, a bad ?page= shows a page instead of
an error."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

SCHOOLS = reverse("schools:school-list")
PAIRS = reverse("curators:pair-list")
NOTHING_FOUND = "Ничего не найдено — измените условия отбора"


def body_rows(response) -> list[str]:
    """The text of each row of the page's table body."""
    html = response.content.decode()
    tbody = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S).group(1)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", tbody, re.S)]


def test_an_empty_table_has_one_row_saying_so(world, login):
    response = login(world.coordinator).get(PAIRS)  # no partner pairs at all
    assert response.status_code == 200
    assert response.context["table"].paginator.count == 0
    assert body_rows(response) == ["Нет записей"]
    columns = len(response.context["table"].columns)
    assert re.search(rf'<tr class="table-empty"><td colspan="{columns}"', response.content.decode())


def test_a_table_filtered_to_nothing_says_change_the_filters(world, login):
    c = login(world.coordinator)
    assert body_rows(c.get(SCHOOLS, {"q": "нет такой школы"})) == [NOTHING_FOUND]
    assert body_rows(c.get(PAIRS, {"year": 2003})) == [NOTHING_FOUND]
    # a filter the form refuses (strict: nothing shown) is a filter too
    assert body_rows(c.get(PAIRS, {"year": "abc"})) == [NOTHING_FOUND]
    assert body_rows(login(world.regional).get(SCHOOLS, {"municipality": 999999})) == [NOTHING_FOUND]
    # sorting and paging are not filters
    assert body_rows(c.get(PAIRS, {"sort": "-year", "page": 2})) == ["Нет записей"]
    # nor is a municipality parameter the page does not read (a municipal coordinator's)
    assert body_rows(login(world.coordinator).get(PAIRS, {"municipality": world.a1.pk})) == ["Нет записей"]


def test_the_empty_row_is_translated(world, login, client):
    c = login(world.coordinator)
    client.cookies["django_language"] = "en"
    assert body_rows(c.get(PAIRS)) == ["No records"]
    assert body_rows(c.get(SCHOOLS, {"q": "zzz"})) == ["Nothing found — change the filters"]


def test_a_table_with_rows_has_no_empty_row(world, login):
    response = login(world.coordinator).get(SCHOOLS, {"q": "СШ № 1"})
    rows = body_rows(response)
    assert len(rows) == 1 and "СШ № 1" in rows[0]
    assert "table-empty" not in response.content.decode()


def counts(queries) -> int:
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith("SELECT COUNT("))


@pytest.mark.parametrize("url_name", ["schools:school-list", "curators:pair-list", "curators:assignment-list"])
def test_a_list_page_counts_its_rows_once(world, login, url_name):
    c = login(world.regional)
    with CaptureQueriesContext(connection) as ctx:
        response = c.get(reverse(url_name))
    assert response.status_code == 200
    assert counts(ctx.captured_queries) == 1, [q["sql"][:120] for q in ctx.captured_queries]


def test_the_count_shown_is_the_tables(world, login):
    response = login(world.regional).get(SCHOOLS)
    assert response.context["table"].paginator.count == 4
    assert response.context["paginator"] is response.context["table"].paginator
    assert "4 записи" in response.content.decode()


@pytest.mark.parametrize(
    ("page", "shown"),
    [("abc", 1), ("", 1), ("0", 1), ("-3", 1), ("1", 1), ("2", 2), ("99", 2), ("1.5", 1)],
)
def test_a_bad_page_number_shows_the_first_or_last_page(world, login, page, shown):
    # 4 schools for the regional coordinator, 3 a page → pages 1 and 2
    response = login(world.regional).get(SCHOOLS, {"page": page, "per_page": 3})
    assert response.status_code == 200
    table = response.context["table"]
    assert table.page.number == shown
    assert len(table.page.object_list) == (3 if shown == 1 else 1)


@pytest.mark.parametrize("per_page", ["0", "-1", "abc"])
def test_a_bad_page_size_still_renders(world, login, per_page):
    response = login(world.regional).get(SCHOOLS, {"per_page": per_page})
    assert response.status_code == 200
    assert response.context["table"].paginator.count == 4


def test_the_count_stays_one_with_many_pages(world, login):
    SchoolFactory.create_batch(7, municipality=world.a1)
    c = login(world.regional)
    with CaptureQueriesContext(connection) as ctx:
        response = c.get(SCHOOLS, {"page": 3, "per_page": 5})
    assert response.status_code == 200
    assert response.context["table"].page.number == 3  # 11 schools: pages of 5, 5, 1
    assert [len(response.context["table"].page.object_list)] == [1]
    assert counts(ctx.captured_queries) == 1


def test_a_page_holds_at_most_max_page_size_rows(world, login, settings):
    settings.MAX_PAGE_SIZE = 2
    response = login(world.regional).get(SCHOOLS, {"per_page": 100000})
    assert response.status_code == 200
    table = response.context["table"]
    assert (table.paginator.per_page, len(table.page.object_list), table.paginator.num_pages) == (2, 2, 2)


def test_a_school_column_sorts_schools_in_natural_order(world, login):
    """A column of a relation to School sorts by School's own ordering (sort_name)."""
    from core.years import current_academic_year
    from curators.models import PartnerPair
    from tests.factories import OrderFactory

    order = OrderFactory(municipality=world.a1)
    year = current_academic_year()
    for n in (19, 3, 11):
        school = SchoolFactory(municipality=world.a1, short_name=f"СШ № {n}")
        PartnerPair.objects.create(school=school, leader=world.a1_school1, year=year, order=order)
    c = login(world.coordinator)

    def schools(sort):
        response = c.get(PAIRS, {"sort": sort})
        return [str(r.record.school) for r in response.context["table"].page.object_list]

    assert schools("school") == ["СШ № 3", "СШ № 11", "СШ № 19"]
    assert schools("-school") == ["СШ № 19", "СШ № 11", "СШ № 3"]
