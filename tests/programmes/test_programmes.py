"""Support programmes with participants: pages and API, scoped."""

from schools.models import Programme
from tests.factories import OrderFactory
from tests.programmes.factories import ProgrammeFactory


def test_programme_create_with_participants(world, login):
    order = OrderFactory(municipality=world.a1)
    c = login(world.coordinator)
    response = c.post(
        "/schools/programmes/new/",
        {
            "municipality": world.a1.pk,
            "kind": "federal_500",
            "name": "«500+»",
            "year": 2022,
            "order": order.pk,
            "schools": [world.a1_school1.pk, world.a1_school2.pk],
        },
    )
    assert response.status_code == 302
    prog = Programme.objects.get()
    assert set(prog.participants.values_list("school_id", flat=True)) == {world.a1_school1.pk, world.a1_school2.pk}
    page = c.get(prog.get_absolute_url())
    assert page.status_code == 200 and "СШ № 2" in page.content.decode()


def test_programme_foreign_school_refused(world, login):
    response = login(world.coordinator).post(
        "/schools/programmes/new/",
        {"municipality": world.a1.pk, "kind": "municipal", "name": "М", "year": 2022, "schools": [world.b1_school1.pk]},
    )
    assert response.status_code == 200
    assert not Programme.objects.exists()


def test_programme_scoping(world, login, api):
    mine = ProgrammeFactory(municipality=world.a1)
    ProgrammeFactory(municipality=world.b1)
    assert login(world.outsider).get(mine.get_absolute_url()).status_code == 404
    assert login(world.school_admin).get(mine.get_absolute_url()).status_code == 200
    assert {p["id"] for p in api(world.coordinator).get("/api/v1/programmes/").json()["results"]} == {mine.pk}
    assert api(world.school_admin).patch(f"/api/v1/programmes/{mine.pk}/", {"name": "x"}).status_code == 403
