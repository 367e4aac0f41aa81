"""The coordinator's working table (/schools/, issue 15.4): status this year, index, flags,
risk level, curators, last visit and roadmap progress — each sortable and filterable, the
same in the xlsx and the API, in a constant number of queries whatever the number of schools."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from assessment.models import Flag, FlagKind, GroupResult, Procedure, SchoolIndex, Subject
from core.years import current_academic_year
from curators.models import CuratorAssignment
from roadmaps.models import Activity, ActivityStatus, Goal, Roadmap, Task
from schools.models import RiskAssessment, RiskFactor, SchoolStatus, StatusKind
from tests.curators.factories import VisitFactory
from tests.factories import OrderFactory, SchoolFactory

pytestmark = pytest.mark.django_db
YEAR = current_academic_year()
RESULTS = YEAR - 1
COLUMNS = [
    "short_name",
    "statuses_now",
    "school_index",
    "flags_count",
    "risk_rank",
    "curators",
    "last_visit",
    "roadmap_progress",
]


def roadmap_task(school, n: int) -> Task:
    """The school's roadmap of the year («Карта n») with one goal and one task: the task."""
    roadmap = Roadmap.objects.create(
        school=school,
        year=YEAR,
        title=f"Карта {n}",
        start_date=datetime.date(YEAR, 9, 1),
        end_date=datetime.date(YEAR + 1, 8, 31),
    )
    return Task.objects.create(goal=Goal.objects.create(roadmap=roadmap, title="Цель"), title="Задача")


def furnish(school, n: int, order, curator):
    """Give a school every figure of the table, varying with ``n``."""
    SchoolStatus.objects.create(school=school, kind=StatusKind.LOW_RESULTS, year_from=YEAR - n % 2, order=order)
    procedure, subject = Procedure.objects.get(code="ВПР"), Subject.objects.get(name="Математика")
    GroupResult.objects.create(
        school=school,
        year=RESULTS,
        procedure=procedure,
        subject=subject,
        grade=5,
        participants=10,
        mean_score=10,
        mean_percent=50 + n,
        with_mark=10,
        with_both=10,
    )
    SchoolIndex.objects.create(
        school=school, municipality=school.municipality, year=RESULTS, value=-1 + n / 10, n_keys=3, p10=-1
    )
    for kind in (FlagKind.LOW_RESULTS, FlagKind.NEGATIVE_DYNAMICS)[: 1 + n % 2]:
        Flag.objects.create(kind=kind, school=school, year=RESULTS, procedure=procedure, subject=subject, grade=5)
    Flag.objects.create(  # a teacher's dynamics: never among the school's flags
        kind=FlagKind.TEACHER_DYNAMICS,
        school=school,
        year=RESULTS,
        procedure=procedure,
        subject=subject,
        teacher_code="T",
    )
    factor = RiskFactor.objects.order_by("position").first()
    RiskAssessment.objects.create(school=school, year=YEAR, factor=factor, level=["low", "medium", "high"][n % 3])
    CuratorAssignment.objects.get_or_create(curator=curator, school=school, year=YEAR, defaults={"order": order})
    VisitFactory(school=school, curator=curator, date=timezone.localdate() - datetime.timedelta(days=10 + n))
    task = roadmap_task(school, n)
    for i in range(4):
        Activity.objects.create(
            task=task,
            title=f"Мероприятие {i}",
            progress_status=ActivityStatus.DONE if i < n % 4 else ActivityStatus.NOT_STARTED,
        )


@pytest.fixture
def table_world(world):
    order = OrderFactory(municipality=world.a1)
    for n, school in enumerate((world.a1_school1, world.a1_school2)):
        furnish(school, n, order, world.curator)
    return world


def test_the_row_of_a_school(table_world, login):
    w = table_world
    page = login(w.coordinator).get("/schools/")
    row = next(r.record for r in page.context["table"].rows if r.record.pk == w.a1_school2.pk)
    assert row.is_low_results and [s.kind for s in row.statuses_now] == [StatusKind.LOW_RESULTS]
    assert row.school_index == pytest.approx(-0.9)
    assert row.flags_count == 2  # low results and negative dynamics; the teacher's dynamics not
    assert row.risk_level == "medium" and row.curators.startswith(w.curator.last_name)
    assert row.last_visit == timezone.localdate() - datetime.timedelta(days=11)
    assert row.roadmap_progress == pytest.approx(0.25)
    html = page.content.decode()
    assert "Индекс 2025/2026" in html or f"Индекс {RESULTS}/{RESULTS + 1}" in html


def test_constant_number_of_queries(table_world, login):
    w = table_world
    client = login(w.coordinator)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = (count("/schools/"), count("/schools/?export=xlsx"), count("/api/v1/schools/"))
    order = OrderFactory(municipality=w.a1)
    for n in range(2, 14):
        furnish(SchoolFactory(municipality=w.a1), n, order, w.curator)
    after = (count("/schools/"), count("/schools/?export=xlsx"), count("/api/v1/schools/"))
    assert after == before


@pytest.mark.parametrize("column", COLUMNS)
def test_every_column_sorts_both_ways(table_world, login, column):
    client = login(table_world.coordinator)
    up = [r.record.pk for r in client.get("/schools/", {"sort": column}).context["table"].rows]
    down = [r.record.pk for r in client.get("/schools/", {"sort": f"-{column}"}).context["table"].rows]
    assert len(up) == len(down) == 3
    if column == "flags_count":  # 0, 1, 2
        w = table_world
        assert up == [w.a1_curator_school.pk, w.a1_school1.pk, w.a1_school2.pk] == list(reversed(down))
    if column in ("school_index", "risk_rank", "last_visit", "roadmap_progress"):
        w = table_world
        # The two furnished schools in order, the bare one (no value) last either way.
        assert up[-1] == down[-1] == w.a1_curator_school.pk
        assert up[:2] == list(reversed(down[:2]))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "low_results"}, {"a1_school1", "a1_school2"}),
        ({"index_max": "-0.95"}, {"a1_school1"}),
        ({"flags_min": "2"}, {"a1_school2"}),
        ({"risk_level": "low"}, {"a1_school1"}),
        ({"risk_level": "unfilled"}, {"a1_curator_school"}),
        ({"has_curator": "false"}, {"a1_curator_school"}),
        ({"curator": "иванова"}, {"a1_school1", "a1_school2"}),
        ({"curator": "Петров"}, set()),
        ({"visit": "never"}, {"a1_curator_school"}),
        ({"visit": "recent"}, {"a1_school1", "a1_school2"}),
        ({"progress": "low"}, {"a1_school1", "a1_school2"}),
        ({"progress": "none"}, {"a1_curator_school"}),
    ],
)
def test_filters_on_the_page_and_the_api(table_world, login, api, params, expected):
    w = table_world
    ids = {getattr(w, name).pk for name in expected}
    page = login(w.coordinator).get("/schools/", params)
    assert {r.record.pk for r in page.context["table"].rows} == ids
    data = api(w.coordinator).get("/api/v1/schools/", params).json()
    assert {r["id"] for r in data["results"]} == ids


def test_the_same_columns_in_the_xlsx(table_world, login):
    w = table_world
    client = login(w.coordinator)
    page = client.get("/schools/")
    shown = [str(c.header) for c in page.context["table"].columns]
    sheet = load_workbook(io.BytesIO(client.get("/schools/?export=xlsx").content)).active
    headers = [c.value for c in sheet[1]]
    assert [h for h in headers if h != "Код"] == shown
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    row = rows["СШ № 2"]
    assert row["Статус в этом году"] == "Низкие образовательные результаты (ШНОР)"
    assert row[f"Признаки {RESULTS}/{RESULTS + 1}"] == 2
    assert row["Уровень риска"] == "средний"
    assert row["Выполнение дорожной карты"] == 25.0
    assert isinstance(row["Последний визит"], datetime.datetime)


@pytest.mark.parametrize("who", ["coordinator", "regional", "curator", "superuser"])
def test_api_pages_without_filters_are_the_rows_of_the_one_queryset(table_world, api, who):
    """A page without filters is read in two steps (the page's ids, then the working table's
    SQL compiled once for them); with a filter — here an empty search, which filters
    nothing — the one queryset.  Both give the same rows, figure for figure, page by page,
    in the same order, also sorted by a column."""
    from schools import selectors

    w = table_world
    order = OrderFactory(municipality=w.a2)
    for n in range(2, 6):
        furnish(SchoolFactory(municipality=w.a1 if n % 2 else w.a2), n, order, w.curator)
    client = api(getattr(w, who))
    selectors._COMPILED.clear()
    for params in ({}, {"page": 2, "page_size": 3}, {"ordering": "-code"}, {"ordering": "short_name"}):
        fast = client.get("/api/v1/schools/", params).json()
        one = client.get("/api/v1/schools/", {**params, "q": ""}).json()
        assert fast["count"] == one["count"] and fast["count"] > 0
        assert fast["results"] == one["results"]
        if who == "coordinator" and not params:
            row = next(r for r in fast["results"] if r["id"] == w.a1_school2.pk)
            assert row["flags_count"] == 2 and row["risk_level"] == "medium" and row["roadmap_progress"] == 0.25
    assert selectors._COMPILED  # the fast path was taken


def test_the_card_figures_are_the_schools_row(table_world):
    """``school_figures`` (the card) runs the table's compiled SQL for one school: the same
    figures as that school's row of the working table, its statuses the prefetched ones."""
    from schools.models import School
    from schools.selectors import school_figures, working_table

    w = table_world
    for school in (w.a1_school1, w.a1_school2, w.a1_curator_school, w.b1_school1):
        figures = school_figures(school)
        row = working_table(School.objects.filter(pk=school.pk), YEAR, figures["results_year"]).get()
        assert figures["results_year"] == (RESULTS if school in (w.a1_school1, w.a1_school2) else None)
        assert (
            figures["is_low_results"],
            figures["index"],
            figures["flags"],
            figures["risk_level"],
            figures["curators"],
            figures["last_visit"],
            figures["roadmap_progress"],
        ) == (
            row.is_low_results,
            row.school_index,
            row.flags_count,
            row.risk_level,
            row.curators or "",
            row.last_visit,
            row.roadmap_progress,
        )
        assert figures["statuses"] == row.statuses_now


def test_statuses_attached_to_a_page_are_the_prefetchs(table_world):
    """``attach_statuses_now`` (the schools page reads its rows without the prefetch) gives each
    school the statuses ``working_table``'s prefetch gives: the same rows, order, school."""
    from schools.models import School
    from schools.selectors import attach_statuses_now, working_table

    w = table_world
    order = OrderFactory(municipality=w.a1)
    SchoolStatus.objects.create(school=w.a1_school2, kind=StatusKind.LEADER, year_from=YEAR, order=order)
    SchoolStatus.objects.create(
        school=w.a1_school1, kind=StatusKind.LEADER, year_from=YEAR - 3, year_to=YEAR - 1, order=order
    )
    schools = working_table(School.objects.order_by("code"), YEAR)
    expected = {s.pk: [(st.pk, st.kind, st.school_id) for st in s.statuses_now] for s in schools}
    for _ in range(2):  # compiled, then kept
        rows = list(schools.prefetch_related(None))
        attach_statuses_now(rows, YEAR)
        assert {s.pk: [(st.pk, st.kind, st.school_id) for st in s.statuses_now] for s in rows} == expected
        assert all(st.school is s for s in rows for st in s.statuses_now)
    assert [st.kind for st in next(s for s in rows if s.pk == w.a1_school2.pk).statuses_now] == [
        "leader",
        "low_results",
    ]
    assert next(s for s in rows if s.pk == w.a1_curator_school.pk).statuses_now == []


def every_risk_and_progress(w) -> list:
    """Five schools: every risk level and none; a third done, nothing planned (all
    cancelled), 7/11, no roadmap, all done."""
    factor = RiskFactor.objects.order_by("position").first()
    extra = []
    for n, level in enumerate(["none", "low", "medium", "high", None]):
        school = SchoolFactory(municipality=w.a1)
        if level:
            RiskAssessment.objects.create(school=school, year=YEAR, factor=factor, level=level)
        task = roadmap_task(school, n)
        statuses = [
            [ActivityStatus.DONE, ActivityStatus.NOT_STARTED, ActivityStatus.IN_PROGRESS],  # 1/3
            [ActivityStatus.CANCELLED, ActivityStatus.CANCELLED],  # nothing planned
            [ActivityStatus.DONE] * 7 + [ActivityStatus.NOT_STARTED] * 4 + [ActivityStatus.CANCELLED],  # 7/11
            [],
            [ActivityStatus.DONE],
        ][n]
        for i, status in enumerate(statuses):
            Activity.objects.create(task=task, title=f"Мероприятие {i}", progress_status=status)
        extra.append(school)
    return extra


def test_compiled_rows_finish_risk_level_and_progress_as_the_sql_does(table_world):
    """``working_table_rows`` reads ``risk_rank``, ``rm_planned`` and ``rm_done`` and finishes
    ``risk_level`` and ``roadmap_progress`` in Python (PostgreSQL ran the risk subquery once
    per CASE branch): the same values, of the same types, in the same key order — the same
    JSON — as ``working_table(…).values()``, for every risk level, none, a third done,
    nothing planned (all cancelled) and no roadmap."""
    from rest_framework.renderers import JSONRenderer

    from schools import selectors
    from schools.api.serializers import SchoolSerializer
    from schools.models import School

    w = table_world
    order = OrderFactory(municipality=w.a1)
    extra = every_risk_and_progress(w)
    furnish(SchoolFactory(municipality=w.a1), 2, order, w.curator)
    ids = list(School.objects.order_by("-id").values_list("pk", flat=True))
    for fields in (
        SchoolSerializer.Meta.fields,
        ["id", "roadmap_progress", "risk_rank", "risk_level", "rm_done"],
        ["id", "risk_level"],
        ["id", "short_name"],
    ):
        selectors._COMPILED.clear()
        fast = selectors.working_table_rows(ids, fields, YEAR, RESULTS)
        one = {
            r["id"]: r
            for r in selectors.working_table(School.objects.filter(pk__in=ids), YEAR, RESULTS).values(*fields)
        }
        expected = [one[i] for i in ids]
        assert [list(r.items()) for r in fast] == [list(r.items()) for r in expected]
        assert [[type(v) for v in r.values()] for r in fast] == [[type(v) for v in r.values()] for r in expected]
        assert JSONRenderer().render(fast) == JSONRenderer().render(expected)
    by_id = {r["id"]: r for r in selectors.working_table_rows(ids, SchoolSerializer.Meta.fields, YEAR, RESULTS)}
    assert [by_id[s.pk]["risk_level"] for s in extra] == ["none", "low", "medium", "high", None]
    assert [by_id[s.pk]["roadmap_progress"] for s in extra] == [1 / 3, None, 7 / 11, None, 1.0]


def test_a_page_without_the_finished_figures_is_the_working_tables(table_world):
    """The schools page reads its rows through ``without_finished`` (``risk_level`` and
    ``roadmap_progress`` not selected: PostgreSQL ran the risk subquery once per CASE branch)
    and ``finish_figures``: the same values and types as ``working_table``'s, for every risk
    level and progress; filters and sorts on the two still work (their SQL expressions)."""
    from django.db.models import F

    from schools.models import School
    from schools.selectors import finish_figures, without_finished, working_table

    w = table_world
    extra = every_risk_and_progress(w)
    schools = working_table(School.objects.order_by("pk"), YEAR, RESULTS).prefetch_related(None)
    page = without_finished(schools)
    sql = str(page.query)
    assert 'AS "risk_level"' not in sql and 'AS "roadmap_progress"' not in sql and 'AS "rm_done"' in sql
    assert 'AS "risk_level"' in str(schools.query)  # the working table itself unchanged

    def figures(rows):
        return [(s.pk, s.risk_level, type(s.risk_level), s.roadmap_progress, type(s.roadmap_progress)) for s in rows]

    for narrowed in (
        lambda qs: qs,
        lambda qs: qs.filter(roadmap_progress__gte=0.3, risk_level__in=["low", "medium", "high"]),
        lambda qs: qs.order_by(F("roadmap_progress").desc(nulls_last=True), "pk"),
        lambda qs: qs.order_by("-risk_level", "pk"),
    ):
        expected = list(narrowed(schools))
        rows = list(narrowed(page))
        assert not any(hasattr(s, "risk_level") or hasattr(s, "roadmap_progress") for s in rows)
        finish_figures(rows)
        assert figures(rows) == figures(expected)
    by_pk = {s.pk: s for s in rows}
    assert [by_pk[s.pk].risk_level for s in extra] == ["none", "low", "medium", "high", None]
    assert [by_pk[s.pk].roadmap_progress for s in extra] == [1 / 3, None, 7 / 11, None, 1.0]
