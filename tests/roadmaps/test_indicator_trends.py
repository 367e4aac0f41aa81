"""The indicator charts: an indicator the school tracked in the roadmaps of the years just before
(the same name and unit, or the same assessment figure) is drawn over those years too."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.years import current_academic_year
from roadmaps import selectors
from roadmaps.models import Activity, Indicator, IndicatorActual

from .conftest import make_roadmap

Y = current_academic_year()


def put(roadmap, name, values, **indicator):
    """Give ``roadmap`` an indicator ``name`` (unless it has one) and its half-year actuals."""
    activity = Activity.objects.filter(task__goal__roadmap=roadmap).order_by("position").first()
    ind = Indicator.objects.filter(activity__task__goal__roadmap=roadmap, name=name).first()
    if ind is None:
        ind = Indicator.objects.create(activity=activity, name=name, unit="%", baseline=20, target=60, **indicator)
    halves = [
        (datetime.date(roadmap.year, 9, 1), datetime.date(roadmap.year, 12, 31)),
        (datetime.date(roadmap.year + 1, 1, 1), datetime.date(roadmap.year + 1, 8, 31)),
    ]
    for (start, end), value in zip(halves, values, strict=True):
        if value is not None:
            IndicatorActual.objects.create(indicator=ind, period_start=start, period_end=end, value=value)
    return ind


FIGURE = {"source_procedure": "ВПР", "source_subject": "Математика", "source_grade": 5, "source_metric": "success_rate"}


def trends_by_name(roadmap, user):
    return {t.indicator.name: t for t in selectors.indicator_trends(roadmap, user)}


def test_values_of_the_years_before_come_first(world):
    school = world.a1_school1
    before3 = make_roadmap(school, year=Y - 3, title="ДК три года назад")
    before2 = make_roadmap(school, year=Y - 2, title="ДК позапрошлого года")
    before1 = make_roadmap(school, year=Y - 1, title="ДК прошлого года")
    now = make_roadmap(school, year=Y, title="ДК этого года")
    put(before3, "Доля педагогов 1", [5, 6])
    put(before2, "Доля педагогов 1", [10, 15])
    put(before1, "Доля педагогов 1", [None, 25])
    put(now, "Доля педагогов 1", [30, None])
    # Tracked by its assessment figure under another name last year; not at all the year before.
    put(before1, "Успеваемость по ВПР", [70, 72], **FIGURE)
    put(now, "Доля успевающих (ВПР, математика, 5 класс)", [75, None], **FIGURE)
    # Another school's roadmap with the same indicator is not this school's trend.
    put(make_roadmap(world.a1_school2, year=Y - 1), "Доля педагогов 1", [99, 99])

    trends = trends_by_name(now, world.school_admin)
    assert set(trends) == {"Доля педагогов 1", "Доля педагогов 2", "Доля успевающих (ВПР, математика, 5 класс)"}

    # Tracked in each of the three years before: four years of two half-years.
    t = trends["Доля педагогов 1"]
    assert [p.start for p in t.periods] == [
        datetime.date(y + d, m, 1) for y in range(Y - 3, Y + 1) for d, m in ((0, 9), (1, 1))
    ]
    assert t.values == [5, 6, 10, 15, None, 25, 30, None]
    assert t.sections == [(0, Y - 3), (2, Y - 2), (4, Y - 1), (6, Y)]
    assert t.latest == 30  # the off-track check reads this roadmap's latest value only

    t = trends["Доля успевающих (ВПР, математика, 5 класс)"]
    assert t.values == [70, 72, 75, None] and t.sections == [(0, Y - 1), (2, Y)]

    # «Доля педагогов 2» exists in every roadmap of the fixture (make_roadmap) without values.
    t = trends["Доля педагогов 2"]
    assert t.values == [None] * 8 and t.latest is None


def test_chain_stops_at_the_first_year_without_the_indicator(world):
    school = world.a1_school1
    put(make_roadmap(school, year=Y - 3, title="ДК три года назад"), "Посещаемость", [50, 55])
    # Y-2: a roadmap, but without this indicator; Y-1 has it; Y has it.
    make_roadmap(school, year=Y - 2, title="ДК позапрошлого года")
    put(make_roadmap(school, year=Y - 1, title="ДК прошлого года"), "Посещаемость", [60, 65])
    now = make_roadmap(school, year=Y, title="ДК этого года")
    put(now, "Посещаемость", [70, 71])
    t = trends_by_name(now, world.coordinator)["Посещаемость"]
    assert t.values == [60, 65, 70, 71] and t.sections == [(0, Y - 1), (2, Y)]
    # A roadmap with nothing before it: its own periods only, as before.
    alone = make_roadmap(world.a1_school2, year=Y)
    t = trends_by_name(alone, world.coordinator)["Доля педагогов 1"]
    assert [p.start for p in t.periods] == [datetime.date(Y, 9, 1), datetime.date(Y + 1, 1, 1)]
    assert t.sections == [(0, Y)]


def test_page_draws_the_years_and_keeps_the_query_count(world, login):
    school = world.a1_school1
    now = make_roadmap(school, year=Y, title="ДК этого года")
    put(now, "Доля педагогов 1", [30, 40])
    put(make_roadmap(school, year=Y - 1, title="ДК прошлого года"), "Доля педагогов 1", [10, 20])
    client = login(world.school_admin)
    url = reverse("roadmaps:roadmap-indicators", args=[now.pk])

    def read():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    small, response = read()
    chart = next(c for c in response.context["charts"] if c["indicator"].name == "Доля педагогов 1")
    assert chart["years"] == [f"{Y - 1}/{Y}", f"{Y}/{Y + 1}"]
    svg = str(chart["svg"])
    assert svg.count("<circle") == 4 and f">{Y - 1}/{Y}</text>" in svg and f">{Y}/{Y + 1}</text>" in svg
    assert 'stroke-dasharray="2 3"' in svg  # the divider between the years
    page = response.content.decode()
    assert f"{Y - 1}/{Y} – {Y}/{Y + 1}" in page
    # More years, more indicators, more values: the same number of queries.
    for year in (Y - 2, Y - 3, Y - 4):
        earlier = make_roadmap(school, year=year, title=f"ДК {year}", n_activities=4)
        put(earlier, "Доля педагогов 1", [1, 2])
        put(earlier, "Доля педагогов 3", [3, 4])
    for n in range(3, 6):
        put(now, f"Доля педагогов {n}", [50, 55])
    large, response = read()
    assert large == small
    chart = next(c for c in response.context["charts"] if c["indicator"].name == "Доля педагогов 1")
    assert len(chart["years"]) == selectors.TREND_YEARS  # Y-4 … Y
    assert str(chart["svg"]).count("<circle") == 2 * selectors.TREND_YEARS
    # Someone who may not see the school sees no chart at all.
    assert login(world.school_admin2).get(url).status_code == 404
