"""Participation analytics and the home panels."""

import datetime

import pytest
from django.utils import timezone

from core.years import current_academic_year
from events.models import Registration
from events.selectors import low_results_without_participation, participation_by_school
from schools.models import SchoolStatus, StatusKind
from tests.events.conftest import make_event
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shnor(world):
    order = OrderFactory(municipality=world.a1)
    year = current_academic_year()
    for school in (world.a1_school1, world.a1_school2):
        SchoolStatus.objects.create(school=school, kind=StatusKind.LOW_RESULTS, year_from=year - 1, order=order)
    return order


def test_idle_low_results_schools(world, shnor):
    recent = make_event(world.a1, days=-30, format="round_table")
    old = make_event(world.a1, days=-400)
    Registration.objects.create(event=recent, school=world.a1_school1, full_name="Иванова Анна", attended=True)
    Registration.objects.create(event=old, school=world.a1_school2, full_name="Петрова Мария", attended=True)
    Registration.objects.create(event=recent, school=world.a1_school2, full_name="Сидорова Ольга", attended=False)
    idle = list(low_results_without_participation(world.coordinator, 6))
    assert [s.pk for s in idle] == [world.a1_school2.pk]
    assert idle[0].last_event.date() == old.start.date()
    assert list(low_results_without_participation(world.outsider, 6)) == []


def test_participation_by_format(world):
    e1 = make_event(world.a1, days=-10, format="round_table")
    e2 = make_event(world.a1, days=-20, format="coaching")
    for e in (e1, e2):
        Registration.objects.create(event=e, school=world.a1_school1, full_name="Иванова Анна", attended=True)
    Registration.objects.create(event=e1, school=world.a1_school1, full_name="Петрова Мария", attended=True)
    today = timezone.localdate()
    data = participation_by_school(world.coordinator, today - datetime.timedelta(days=365), today)
    row = next(r for r in data["rows"] if r["school"] == world.a1_school1)
    assert row["events"] == 2 and row["people"] == 3
    assert dict(row["formats"]) == {"Круглый стол": 1, "Коучинг": 1}
    assert "<svg" in data["chart"]


def test_participation_page_and_panels(world, shnor, ev, login):
    response = login(world.methodist).get("/events/participation/")
    assert response.status_code == 200
    assert {s.pk for s in response.context["idle"]} == {world.a1_school1.pk, world.a1_school2.pk}
    home = login(world.school_admin).get("/")
    assert "Ближайшие мероприятия" in home.content.decode()
    assert "Квест-игра «ВСОКО»" in home.content.decode()


def test_mark_held_is_idempotent(world, ev):
    from events.services import events_mark_held
    from events.tasks import mark_held

    assert events_mark_held() == 1
    ev.past.refresh_from_db()
    ev.upcoming.refresh_from_db()
    assert ev.past.status == "held" and ev.upcoming.status == "planned"
    assert mark_held() == 0


def test_participation_and_calendar_query_counts(world, shnor, login, django_assert_max_num_queries):
    client = login(world.coordinator)

    def grow(n, start):
        for i in range(n):
            e = make_event(world.a1, days=-(start + i + 1), format="coaching")
            Registration.objects.create(
                event=e, school=world.a1_school1, full_name=f"Участник {start + i}", attended=True
            )

    grow(2, 0)
    with django_assert_max_num_queries(30) as small_p:
        client.get("/events/participation/")
    with django_assert_max_num_queries(30) as small_c:
        client.get("/events/calendar/")
    grow(15, 10)
    with django_assert_max_num_queries(len(small_p.captured_queries)):
        client.get("/events/participation/")
    with django_assert_max_num_queries(len(small_c.captured_queries)):
        client.get("/events/calendar/")


def test_event_page_query_count(world, ev, login, django_assert_max_num_queries):
    client = login(world.coordinator)
    for i in range(2):
        Registration.objects.create(event=ev.past, school=world.a1_school1, full_name=f"Участник {i}", attended=True)
    with django_assert_max_num_queries(60) as small:
        client.get(ev.past.get_absolute_url())
    for i in range(20):
        Registration.objects.create(event=ev.past, school=world.a1_school2, full_name=f"Ещё {i}", attended=True)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(ev.past.get_absolute_url())
