"""Prepared querysets (core/compiled.py ``prepared``): built and compiled once per key, their
SQL run afresh on every use — the same rows, instances and related objects as the queryset
itself, new data seen at once, no further filtering, and a key that misses an input caught
by the check mode the suite runs in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from core.compiled import (
    PreparedQueryMismatch,
    forget_prepared,
    prepared,
    prepared_aggregate,
    prepared_count,
    prepared_exists,
)
from schools.models import Municipality, School
from tests.factories import SchoolFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_prepared")]


def schools_of(muni):
    return School.objects.filter(municipality=muni).select_related("municipality__region").order_by("code")


def fields(school):
    return (school.pk, school.code, school.short_name, school.municipality.name, school.municipality.region.name)


@pytest.mark.parametrize("mode", ["on", "check"])
def test_rows_are_the_querysets_and_read_new_data(world, mode):
    with override_settings(OPORA_PREPARED_QUERIES=mode):
        key = ("test.schools", world.a1.pk)
        first = list(prepared(key, lambda: schools_of(world.a1)))
        assert [fields(s) for s in first] == [fields(s) for s in schools_of(world.a1)]
        added = SchoolFactory(municipality=world.a1, code="ZZ999")
        with CaptureQueriesContext(connection) as ctx:
            again = prepared(key, lambda: schools_of(world.a1))
            rows = [fields(s) for s in again]  # the related objects came with the row
        assert rows == [fields(s) for s in schools_of(world.a1)]
        assert rows[-1][0] == added.pk
        assert len(ctx.captured_queries) == 1  # the check mode compiles again, runs nothing more


def test_values_slices_and_annotations(world):
    from django.db.models import Count

    def build():
        return Municipality.objects.annotate(n=Count("schools")).order_by("name").values("name", "n")[:2]

    expected = list(build())
    prepared(("test.values",), build)
    assert list(prepared(("test.values",), build)) == expected


def test_a_prepared_queryset_cannot_be_narrowed(world):
    qs = prepared(("test.narrow",), lambda: schools_of(world.a1))
    with pytest.raises(TypeError):
        qs.filter(code="x")
    assert qs.count() == schools_of(world.a1).count()  # counting still asks the database


def test_check_mode_catches_a_key_that_misses_an_input(world):
    key = ("test.bad-key",)  # the municipality is not in the key
    prepared(key, lambda: schools_of(world.a1))
    with pytest.raises(PreparedQueryMismatch):
        prepared(key, lambda: schools_of(world.a2))
    prepared_count(("test.bad-count",), lambda: schools_of(world.a1))
    with pytest.raises(PreparedQueryMismatch):
        prepared_count(("test.bad-count",), lambda: schools_of(world.b1))
    prepared_exists(("test.bad-exists",), lambda: schools_of(world.a1))
    with CaptureQueriesContext(connection) as ctx:
        assert prepared_exists(("test.bad-exists",), lambda: schools_of(world.a1)) is True
    assert len(ctx.captured_queries) == 1  # the check compares statements, runs none


@override_settings(OPORA_PREPARED_QUERIES="on")
def test_count_and_exists_read_new_data(world):
    key = ("test.count", world.a2.pk)
    before = prepared_count(key, lambda: schools_of(world.a2))
    assert prepared_exists(key, lambda: schools_of(world.a2)) is (before > 0)
    SchoolFactory(municipality=world.a2, code="ZZ998")
    with CaptureQueriesContext(connection) as ctx:
        assert prepared_count(key, lambda: schools_of(world.a2)) == before + 1
        assert prepared_exists(key, lambda: schools_of(world.a2)) is True
    assert len(ctx.captured_queries) == 2
    empty = ("test.none",)
    assert prepared_count(empty, lambda: School.objects.none()) == 0
    with CaptureQueriesContext(connection) as ctx:
        assert prepared_count(empty, lambda: School.objects.none()) == 0
        assert list(prepared(empty, lambda: School.objects.none())) == []
        assert list(prepared(empty, lambda: School.objects.none())) == []
    assert ctx.captured_queries == []


@override_settings(OPORA_PREPARED_QUERIES="off")
def test_off_builds_every_time(world):
    calls = []

    def build():
        calls.append(1)
        return schools_of(world.a1)

    prepared(("test.off",), build)
    prepared(("test.off",), build)
    assert len(calls) == 2


@override_settings(OPORA_PREPARED_QUERIES="on")
def test_aggregates_read_new_data_and_converted_ones_are_not_kept(world):
    from django.db.models import Avg, Count, Max

    from core import compiled

    key = ("test.aggregate", world.a1.pk)
    first = prepared_aggregate(key, lambda: schools_of(world.a1), n=Count("id"), top=Max("id"))
    added = SchoolFactory(municipality=world.a1, code="ZZ997")
    with CaptureQueriesContext(connection) as ctx:
        again = prepared_aggregate(key, lambda: schools_of(world.a1), n=Count("id"), top=Max("id"))
    assert again == {"n": first["n"] + 1, "top": added.pk}
    assert len(ctx.captured_queries) == 1
    # an average PostgreSQL gives as a decimal and Django as a float: computed every time
    avg = ("test.avg",)
    value = prepared_aggregate(avg, lambda: School.objects.all(), a=Avg("id"))
    assert compiled._recall(("aggregate", *avg)) is compiled._NOT_KEPT
    assert prepared_aggregate(avg, lambda: School.objects.all(), a=Avg("id")) == value


def test_arguments_take_the_place_of_the_first_ones(world):
    import datetime

    from django.utils import timezone

    from events.models import Event

    def build(now):
        return Event.objects.filter(start__lte=now, end__gte=now).order_by("pk")

    def build_since(now):
        return School.objects.filter(municipality=world.a1, created__gte=now - datetime.timedelta(days=1))

    now = timezone.now()
    assert list(prepared(("test.args",), build, now)) == list(build(now))
    later = now + datetime.timedelta(days=400)
    assert list(prepared(("test.args",), build, later)) == list(build(later))
    by_code = ("test.str",)
    assert [s.pk for s in prepared(by_code, lambda code: School.objects.filter(code=code), "A1S1")] == [
        world.a1_school1.pk
    ]
    assert [s.pk for s in prepared(by_code, lambda code: School.objects.filter(code=code), "A1S2")] == [
        world.a1_school2.pk
    ]
    assert prepared_count(("test.args",), build, later) == build(later).count()
    # a value derived inside build never reaches the parameters as passed: built every time
    assert prepared_count(("test.derived",), build_since, now) == build_since(now).count()
    from core import compiled

    assert compiled._recall(("count", "test.derived")) is compiled._NOT_KEPT


def executed(ctx) -> list[str]:
    return [q["sql"].split("(")[0].split()[0] for q in ctx.captured_queries]


@override_settings(OPORA_PREPARED_QUERIES="on")
def test_postgresql_plans_a_prepared_statement_once_per_session(world):
    def build(sid):
        return School.objects.filter(municipality_id=sid).order_by("code")

    first = list(prepared(("test.server",), build, world.a1.pk))
    with CaptureQueriesContext(connection) as ctx:
        prepared_count(("test.server",), build, world.a1.pk)
    assert executed(ctx) == ["SELECT"]  # the first count is Django's own (its check is not the page's)
    with CaptureQueriesContext(connection) as ctx:
        again = list(prepared(("test.server",), build, world.a1.pk))
        other = list(prepared(("test.server",), build, world.a2.pk))
        count = prepared_count(("test.server",), build, world.a2.pk)
    assert again == first == list(build(world.a1.pk))
    assert other == list(build(world.a2.pk)) and count == len(other)
    assert executed(ctx) == ["EXECUTE", "EXECUTE", "EXECUTE"]  # the PREPAREs are not the page's queries
    with override_settings(OPORA_SERVER_PREPARED=False), CaptureQueriesContext(connection) as ctx:
        assert list(prepared(("test.server",), build, world.a1.pk)) == first
    assert executed(ctx) == ["SELECT"]


@override_settings(OPORA_PREPARED_QUERIES="on")
def test_a_statement_postgresql_cannot_prepare_runs_as_sql_and_the_transaction_goes_on(world):
    from django.db.models.expressions import RawSQL

    def build(sid):  # $1 + $1: PostgreSQL cannot tell the type of the argument
        return School.objects.filter(id=sid).annotate(v=RawSQL("%s + %s", (sid, sid))).values_list("v", flat=True)

    school = world.a1_school1.pk
    assert list(prepared(("test.refused",), build, school)) == [2 * school]
    with CaptureQueriesContext(connection) as ctx:
        assert list(prepared(("test.refused",), build, school)) == [2 * school]
    assert executed(ctx) == ["SELECT"]
    assert School.objects.filter(pk=school).exists()  # the transaction is usable


@override_settings(OPORA_PREPARED_QUERIES="check")
def test_a_prepared_list_pages_as_the_queryset(world):
    from django.core.paginator import Paginator

    from core.compiled import PreparedList

    for n in range(5):
        SchoolFactory(municipality=world.a1, code=f"PL{n}")

    def build():
        return School.objects.filter(municipality=world.a1).order_by("code").values_list("pk", flat=True)

    pages = Paginator(PreparedList(("test.list", world.a1.pk), build), 2)
    expected = Paginator(build(), 2)
    assert pages.count == expected.count and pages.num_pages == expected.num_pages
    for number in expected.page_range:
        assert list(pages.page(number)) == list(expected.page(number))


@override_settings(OPORA_PREPARED_QUERIES="on")
def test_a_short_last_page_is_one_statement_whatever_the_count(world):
    """The paginator cuts the last page's slice at the count; with the page size the list
    reads a whole page and cuts it itself, so a new row keeps the same statement (without it
    every count made a statement of its own) — and the pages stay the queryset's."""
    from django.core.paginator import Paginator

    from core import compiled
    from core.compiled import PreparedList

    forget_prepared()
    muni = Municipality.objects.create(region=world.a1.region, name="Округ страниц")
    for n in range(5):
        SchoolFactory(municipality=muni, code=f"SL{n}")

    def build():
        return School.objects.filter(municipality=muni).order_by("code").values_list("pk", flat=True)

    def slices():
        return sorted(k[-2:] for k in compiled._memo if k[:2] == ("rows", "test.short"))

    for extra in range(3):  # 5, 6, 7 schools: the second page is short
        expected = Paginator(build(), 4)
        pages = Paginator(PreparedList(("test.short",), build, 4), 4)
        assert [list(pages.page(n)) for n in expected.page_range] == [
            list(expected.page(n)) for n in expected.page_range
        ]
        SchoolFactory(municipality=muni, code=f"SM{extra}")
    assert slices() == [(0, 4), (4, 8)]
    forget_prepared()
    for extra in range(2):  # 9, 10 schools: without the page size, one statement per count
        SchoolFactory(municipality=muni, code=f"SN{extra}")
        Paginator(PreparedList(("test.short",), build), 4).page(3)
    assert slices() == [(8, 9), (8, 10)]
    forget_prepared()


@pytest.mark.parametrize("mode", ["on", "check"])
def test_values_together_are_the_querysets_in_one_statement(world, mode):
    """``prepared_together``: a count, a slice of ids and an aggregate read by one statement —
    the values Django gives for each, new data seen at once; an aggregate PostgreSQL gives in
    another type (an average: a decimal) keeps every part read as Django does."""
    from django.db.models import Avg, Max

    from core import compiled
    from core.compiled import prepared_together

    def ids():
        return schools_of(world.a1).values_list("pk", flat=True)

    def parts():
        return (
            ("count", ids),
            ("list", lambda: ids()[1:3]),
            ("aggregate", lambda: School.objects.filter(municipality=world.a1), {"top": Max("id")}),
        )

    def expected():
        return [
            ids().count(),
            list(ids()[1:3]),
            School.objects.filter(municipality=world.a1).aggregate(m=Max("id"))["m"],
        ]

    with override_settings(OPORA_PREPARED_QUERIES=mode):
        key = ("test.together", world.a1.pk)
        assert prepared_together(key, *parts()) == expected()
        SchoolFactory(municipality=world.a1, code="A1S0")  # first by code: the slice moves
        with CaptureQueriesContext(connection) as ctx:
            again = prepared_together(key, *parts())
        assert again == expected() and again[0] == 4 and isinstance(again[1], list)
        assert len(ctx.captured_queries) == 1
        assert "ARRAY(" in ctx.captured_queries[0]["sql"] or ctx.captured_queries[0]["sql"].startswith("EXECUTE")
        avg = ("test.together-avg",)
        with_avg = (("count", ids), ("aggregate", lambda: School.objects.all(), {"a": Avg("id")}))
        value = prepared_together(avg, *with_avg)
        assert compiled._recall(("together", *avg)) is compiled._NOT_KEPT
        assert prepared_together(avg, *with_avg) == value == [4, School.objects.aggregate(a=Avg("id"))["a"]]
        nothing = (("count", lambda: School.objects.none()), ("list", lambda: School.objects.none().values_list("pk")))
        assert prepared_together(("test.together-none",), *nothing) == [0, []]
        assert prepared_together(("test.together-none",), *nothing) == [0, []]


def test_check_mode_catches_a_together_key_that_misses_an_input(world):
    from core.compiled import prepared_together

    def parts(muni):
        return (("count", lambda: schools_of(muni)), ("list", lambda: schools_of(muni).values_list("pk", flat=True)))

    prepared_together(("test.together-bad",), *parts(world.a1))
    with pytest.raises(PreparedQueryMismatch):
        prepared_together(("test.together-bad",), *parts(world.a2))


@override_settings(OPORA_PREPARED_QUERIES="on")
def test_a_page_read_together_is_the_paginators_page_in_one_query(world):
    """``PreparedList.read_page``: the count, the page's ids and a further value in one
    statement; the paginator then reads its count and that page from it (no query), the same
    pages as the queryset's; another page than the one read goes the usual way."""
    from django.core.paginator import Paginator
    from django.db.models import Max

    from core.compiled import PreparedList

    for n in range(5):
        SchoolFactory(municipality=world.a1, code=f"RP{n}")

    def build():
        return School.objects.filter(municipality=world.a1).order_by("code").values_list("pk", flat=True)

    expected = Paginator(build(), 3)
    top = ("aggregate", build, {"top": Max("id")})
    for number in (*expected.page_range, 99):
        for _round in range(2):  # the first call reads as Django does, the second is the statement
            pages = Paginator(PreparedList(("test.read", world.a1.pk), build, 3), 3)
            with CaptureQueriesContext(connection) as ctx:
                (highest,) = pages.object_list.read_page((number - 1) * 3, top)
                if number == 99:
                    assert pages.count == expected.count
                    continue
                rows = list(pages.page(number))
            assert rows == list(expected.page(number)) and highest == max(build())
            assert _round == 0 or len(ctx.captured_queries) == 1
    pages = Paginator(PreparedList(("test.read", world.a1.pk), build, 3), 3)
    pages.object_list.read_page(0)
    assert list(pages.page(2)) == list(expected.page(2))  # not the page read: its own statement


def test_prepared_queries_are_off_on_another_database(monkeypatch):
    """``make run`` serves the demo from SQLite: there every prepared helper builds its
    queryset as usual (the home page once answered 500 there: the raw sqlite3 cursor is no
    context manager and knows no ``%s``)."""
    from django.db import connections

    from core import compiled

    assert compiled._mode() == "check"
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    assert compiled._mode() == "off"
    built = []
    result = compiled.prepared(("sqlite-test",), lambda: built.append(1) or School.objects.none())
    assert built == [1] and list(result) == []


@pytest.mark.parametrize("mode", ["on", "check"])
def test_a_list_of_ids_is_one_argument(world, mode):
    """Ids as one array parameter (``= ANY(%s)``): the statement is the same for any number
    of them; check mode still compares the SQL."""

    def build(ids):
        return School.objects.extra(where=['"schools_school"."id" = ANY(%s)'], params=[ids]).order_by("code")

    with override_settings(OPORA_PREPARED_QUERIES=mode):
        some = [world.a1_school1.pk, world.b1_school1.pk]
        assert [s.pk for s in prepared(("test.ids",), build, some)] == [s.pk for s in build(some)]
        more = [world.a1_school2.pk, world.a2_school1.pk, world.a1_school1.pk]
        with CaptureQueriesContext(connection) as ctx:
            rows = [s.pk for s in prepared(("test.ids",), build, more)]
        assert rows == [s.pk for s in build(more)] and len(rows) == 3
        assert len(ctx.captured_queries) == 1
    with pytest.raises(TypeError):
        prepared(("test.ids.bad",), build, [])


def test_an_argument_out_of_the_fields_range_is_not_kept(world):
    """Django compiles a lookup of an integer beyond its field's range to nothing: such a
    first call (a URL's id) must not leave an empty statement for every later id."""
    from core import compiled

    def build(sid):
        return School.objects.filter(pk=sid)

    def exists(sid):
        return prepared_exists(("test.range",), build, sid)

    huge = 2**70
    assert list(prepared(("test.range",), build, huge)) == []
    assert not exists(huge)
    assert compiled._recall(("rows", "test.range")) is None
    assert compiled._recall(("exists", "test.range")) is None
    assert [s.pk for s in prepared(("test.range",), build, world.a1_school1.pk)] == [world.a1_school1.pk]
    assert exists(world.a1_school1.pk)
    assert compiled._recall(("rows", "test.range")) not in (None, compiled._NOT_KEPT)
    with CaptureQueriesContext(connection) as ctx:  # kept now, and out of range it still finds nothing
        assert [s.pk for s in prepared(("test.range",), build, world.a1_school2.pk)] == [world.a1_school2.pk]
        assert list(prepared(("test.range",), build, -1)) == []
    assert len(ctx.captured_queries) == 2


@override_settings(OPORA_PREPARED_QUERIES="on")
def test_a_small_integer_argument_is_kept(world):
    """A year in a small-integer field: the far other value (year + 104729) compiles to
    nothing, so its place is found with the next value instead — kept, not built every time."""
    from core import compiled
    from schools.models import RiskAssessment

    def build(sid, year):
        return RiskAssessment.objects.filter(school_id=sid, year=year).select_related("factor")

    sid = world.a1_school1.pk
    assert list(prepared(("test.small",), build, sid, 2025)) == list(build(sid, 2025))
    assert compiled._recall(("rows", "test.small")) not in (None, compiled._NOT_KEPT)
    with CaptureQueriesContext(connection) as ctx:
        assert list(prepared(("test.small",), build, sid, 2024)) == list(build(sid, 2024))
    assert executed(ctx)[0] == "EXECUTE"


def test_a_querysets_own_attributes_are_kept(world):
    """A QuerySet subclass's own state (simple_history's HistoricalQuerySet) goes with the
    prepared rows: the card's history reads as ``school.history`` does."""
    school = world.a1_school1
    school.name = "Переименована"
    school.save()

    def build(sid):
        return School.history.filter(id=sid).select_related("history_user").order_by("-history_date")[:10]

    for _ in range(2):
        rows = list(prepared(("test.history",), build, school.pk))
        expected = list(school.history.select_related("history_user").order_by("-history_date")[:10])
        assert [(h.history_id, h.name, h.history_type) for h in rows] == [
            (h.history_id, h.name, h.history_type) for h in expected
        ]
        assert len(rows) >= 2


def test_among_is_one_array_parameter_for_any_number_of_ids(world):
    """``among``: the rows whose field is one of the ids, as ``__in`` gives them; on PostgreSQL
    one array parameter, so one statement prepared with a list serves lists of any length."""
    from core.compiled import among
    from schools.models import School

    ids = sorted(School.objects.values_list("pk", flat=True))[:3]
    for chosen in (ids[:1], ids[:2], ids):  # the callers send no empty list (no query then)
        rows = among(School.objects.order_by("pk"), "municipality_id", [world.a1.pk])
        assert list(rows) == list(School.objects.filter(municipality_id__in=[world.a1.pk]).order_by("pk"))
        kept = prepared(("test.among",), lambda ids: among(School.objects.order_by("pk"), "id", ids), chosen)
        assert [s.pk for s in kept] == chosen
    sql, params = among(School.objects.all(), "id", ids).query.sql_with_params()
    assert "= ANY(%s)" in sql and list(params) == [ids]
