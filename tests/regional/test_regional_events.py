"""Regional events and the regional part of the bank: open to every municipality of the
region, run by the region's coordinators; a municipality's own events stay its own."""

import datetime

import pytest
from django.utils import timezone

from events.models import Event, Material, Registration
from tests.events.test_events_pages import form_data

pytestmark = pytest.mark.django_db


def regional_event(world, **fields):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)
    defaults = {
        "format": "webinar",
        "title": "Краевой вебинар",
        "start": start,
        "end": start + datetime.timedelta(hours=2),
    }
    return Event.objects.create(region=world.region_a, **{**defaults, **fields})


def test_the_regional_coordinator_creates_a_regional_event_on_the_page(world, login):
    c = login(world.regional)
    form = c.get("/events/new/").context["form"]
    assert "municipality" not in form.fields, "no municipality of theirs to run events in"
    assert list(form.fields["region"].queryset) == [world.region_a]
    data = form_data(world, region=world.region_a.pk, host_school=world.a2_school1.pk)
    data.pop("municipality")
    response = c.post("/events/new/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    event = Event.objects.get(title="Мастер-класс «Путь к успеху!»")
    assert (event.region, event.municipality, event.host_school) == (world.region_a, None, world.a2_school1)
    assert event.questions.count() == 5


def test_a_municipal_coordinator_cannot_place_an_event_in_the_region(world, login):
    c = login(world.coordinator)
    assert "region" not in c.get("/events/new/").context["form"].fields
    response = c.post("/events/new/", form_data(world, region=world.region_a.pk))
    event = Event.objects.get(title="Мастер-класс «Путь к успеху!»")
    assert response.status_code == 302 and (event.municipality, event.region) == (world.a1, None)


def test_a_regional_event_is_open_to_every_municipality_of_the_region(world, login, api):
    event = regional_event(world)
    for who in ("coordinator", "coordinator_a2", "methodist", "school_admin", "curator", "regional"):
        assert login(getattr(world, who)).get(f"/events/{event.pk}/").status_code == 200, who
        assert event.pk in [e["id"] for e in api(getattr(world, who)).get("/api/v1/events/").json()["results"]], who
    for who in ("outsider", "coordinator_b1"):
        assert login(getattr(world, who)).get(f"/events/{event.pk}/").status_code == 404, who
    listed = login(world.school_admin).get("/events/", {"regional": "true"})
    assert [r.record.pk for r in listed.context["table"].rows] == [event.pk]


def test_only_the_region_runs_a_regional_event(world, login, api):
    event = regional_event(world)
    assert login(world.regional).get(f"/events/{event.pk}/edit/").status_code == 200
    for who in ("coordinator", "methodist", "school_admin"):
        assert login(getattr(world, who)).get(f"/events/{event.pk}/edit/").status_code == 404, who
        assert (
            api(getattr(world, who)).patch(f"/api/v1/events/{event.pk}/", {"title": "X"}, format="json").status_code
            == 403
        )
    assert (
        api(world.regional).patch(f"/api/v1/events/{event.pk}/", {"title": "Новое"}, format="json").status_code == 200
    )


def test_the_region_runs_no_municipal_event(world, login, api):
    start = timezone.now() + datetime.timedelta(days=3)
    event = Event.objects.create(
        municipality=world.a1,
        format="seminar",
        title="Семинар А1",
        start=start,
        end=start + datetime.timedelta(hours=1),
    )
    assert login(world.regional).get(f"/events/{event.pk}/").status_code == 200, "reads it"
    assert login(world.regional).get(f"/events/{event.pk}/edit/").status_code == 404
    assert api(world.regional).patch(f"/api/v1/events/{event.pk}/", {"title": "X"}, format="json").status_code == 403
    body = {
        "municipality": world.a1.pk,
        "format": "webinar",
        "title": "Чужое",
        "start": start.isoformat(),
        "end": (start + datetime.timedelta(hours=1)).isoformat(),
    }
    assert api(world.regional).post("/api/v1/events/", body, format="json").status_code == 400
    assert not Event.objects.filter(title="Чужое").exists()


def test_api_creates_a_regional_event_only_with_one_level(world, api):
    start = timezone.now() + datetime.timedelta(days=3)
    body = {
        "format": "webinar",
        "title": "Краевой",
        "start": start.isoformat(),
        "end": (start + datetime.timedelta(hours=1)).isoformat(),
    }
    assert api(world.regional).post("/api/v1/events/", body, format="json").status_code == 400
    created = api(world.regional).post("/api/v1/events/", {**body, "region": world.region_a.pk}, format="json")
    assert created.status_code == 201 and Event.objects.get(title="Краевой").region == world.region_a
    both = api(world.superuser).post(
        "/api/v1/events/",
        {**body, "title": "Оба", "region": world.region_a.pk, "municipality": world.a1.pk},
        format="json",
    )
    assert both.status_code == 400
    assert (
        api(world.regional).post("/api/v1/events/", {**body, "region": world.region_b.pk}, format="json").status_code
        == 400
    )


def test_schools_of_any_municipality_register_their_own_people(world, login):
    event = regional_event(world)
    from events.services import registration_schools_for

    assert list(registration_schools_for(world.school_admin, event)) == [world.a1_school1]
    assert set(registration_schools_for(world.coordinator_a2, event)) == {world.a2_school1}
    assert set(registration_schools_for(world.regional, event)) == {
        world.a1_school1,
        world.a1_school2,
        world.a1_curator_school,
        world.a2_school1,
    }
    Registration.objects.create(event=event, school=world.a2_school1, full_name="Учитель А2")
    assert login(world.coordinator_a2).get(f"/events/{event.pk}/").status_code == 200


def test_the_regional_part_of_the_bank(world, login):
    material = Material.objects.create(
        region=world.region_a, school=world.a2_school1, title="Проект гимназии", description="Формирующее оценивание"
    )
    for who in ("school_admin", "coordinator_a2", "curator"):
        assert login(getattr(world, who)).get(f"/events/bank/{material.pk}/").status_code == 200, who
    assert login(world.outsider).get(f"/events/bank/{material.pk}/").status_code == 404
    assert login(world.regional).get(f"/events/bank/{material.pk}/edit/").status_code == 200
    assert login(world.coordinator).get(f"/events/bank/{material.pk}/edit/").status_code == 404
    listed = login(world.school_admin).get("/events/bank/", {"regional": "true"})
    assert [r.record.pk for r in listed.context["table"].rows] == [material.pk]
    c = login(world.regional)
    response = c.post(
        "/events/bank/new/",
        {"kind": "practice", "title": "Сборник края", "region": world.region_a.pk, "description": "Опыт школ края"},
    )
    assert response.status_code == 302
    assert Material.objects.get(title="Сборник края").region == world.region_a
