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


def _participants(response, programme):
    assert response.status_code == 200, response.content
    rows = {p["id"]: p for p in response.json()["results"]}
    return rows[programme.pk]["participants"]


def test_programme_api_lists_participants_readably(world, api):
    from schools.models import ProgrammeParticipant

    prog = ProgrammeFactory(municipality=world.a1)
    s1, s2 = world.a1_school1, world.a1_school2
    p2 = ProgrammeParticipant.objects.create(programme=prog, school=s2, note="по приказу № 48")
    p1 = ProgrammeParticipant.objects.create(programme=prog, school=s1)
    expected = [
        {"id": p1.pk, "school": {"id": s1.pk, "code": "A1S1", "name": s1.name, "short_name": "СШ № 1"}, "note": ""},
        {
            "id": p2.pk,
            "school": {"id": s2.pk, "code": "A1S2", "name": s2.name, "short_name": "СШ № 2"},
            "note": "по приказу № 48",
        },
    ]
    assert _participants(api(world.coordinator).get("/api/v1/programmes/"), prog) == expected
    detail = api(world.school_admin).get(f"/api/v1/programmes/{prog.pk}/")
    assert detail.status_code == 200 and detail.json()["participants"] == expected
    # Still scoped: another municipality's coordinator and an outsider see no such programme.
    assert api(world.coordinator_b1).get(f"/api/v1/programmes/{prog.pk}/").status_code == 404
    assert api(world.outsider).get(f"/api/v1/programmes/{prog.pk}/").status_code == 404
    # The nested participant is read-only: a PATCH cannot rewrite it.
    response = api(world.coordinator).patch(
        f"/api/v1/programmes/{prog.pk}/", {"participants": [{"school": {"code": "B1S1"}}]}, format="json"
    )
    assert response.status_code == 200 and response.json()["participants"] == expected


def test_programme_api_query_count_does_not_grow_with_participants(world, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from schools.models import ProgrammeParticipant
    from tests.factories import SchoolFactory

    client = api(world.coordinator)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/programmes/")
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    first = ProgrammeFactory(municipality=world.a1)
    ProgrammeParticipant.objects.create(programme=first, school=world.a1_school1)
    small, _ = count()
    second = ProgrammeFactory(municipality=world.a1, name="Муниципальная программа")
    for prog in (first, second):
        for i in range(8):
            school = SchoolFactory(municipality=world.a1, code=f"{prog.pk}X{i}")
            ProgrammeParticipant.objects.create(programme=prog, school=school)
    large, response = count()
    assert large == small
    assert [len(_participants(response, p)) for p in (first, second)] == [9, 8]
    assert {p["school"]["code"] for p in _participants(response, second)} == {f"{second.pk}X{i}" for i in range(8)}
