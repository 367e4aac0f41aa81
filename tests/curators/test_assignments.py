"""Curator assignments and partner pairs: the conflict rule, dates in the academic year,
the grid, workload, scoping through pages and API, and history."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.years import current_academic_year
from curators import services
from curators.models import CuratorAssignment, PartnerPair
from tests.curators.factories import PartnerPairFactory
from tests.factories import OrderFactory, UserFactory


def _post(client, world, **over):
    year = current_academic_year()
    data = {
        "school": world.a1_school2.pk,
        "curator": world.curator.pk,
        "year": year,
        "role": "school_curator",
        "order": OrderFactory(municipality=world.a1).pk,
        "date_from": f"{year}-09-01",
        "date_to": f"{year + 1}-05-31",
        "is_active": "on",
    }
    data.update(over)
    return client.post("/curators/assignments/new/", data)


def test_coordinator_appoints_curator(world, login):
    response = _post(login(world.coordinator), world)
    assert response.status_code == 302
    a = CuratorAssignment.objects.get(school=world.a1_school2)
    assert a.curator == world.curator and a.history.first().history_user == world.coordinator


def test_curator_from_own_school_refused(world, login):
    before = CuratorAssignment.objects.count()
    response = _post(login(world.coordinator), world, school=world.a1_curator_school.pk)
    assert response.status_code == 200
    assert "Куратор не может курировать собственную школу" in response.content.decode()
    assert CuratorAssignment.objects.count() == before


def test_service_refuses_own_school(world):
    a = CuratorAssignment(curator=world.curator, school=world.a1_curator_school, year=current_academic_year())
    with pytest.raises(ValidationError) as exc:
        services.assignment_save(assignment=a, user=world.coordinator)
    assert "собственную школу" in str(exc.value)
    assert a.pk is None


def test_dates_outside_academic_year_refused(world, login):
    year = current_academic_year()
    before = CuratorAssignment.objects.count()
    response = _post(login(world.coordinator), world, date_to=f"{year + 2}-01-10")
    assert response.status_code == 200
    assert "Дата должна быть в пределах учебного года" in response.content.decode()
    assert CuratorAssignment.objects.count() == before


def test_duplicate_assignment_refused(world, login):
    response = _post(login(world.coordinator), world, school=world.a1_school1.pk)
    assert response.status_code == 200
    assert "уже назначен" in response.content.decode()


@pytest.mark.parametrize("user_attr", ["school_admin", "curator", "methodist", "coordinator_b1"])
def test_others_cannot_appoint(world, login, user_attr):
    client = login(getattr(world, user_attr))
    if user_attr == "coordinator_b1":
        response = _post(client, world)
        assert response.status_code == 200  # the a1 school is not a valid choice for b1
    else:
        assert client.get("/curators/assignments/new/").status_code == 404
    assert not CuratorAssignment.objects.filter(school=world.a1_school2).exists()


def test_grid_and_workload(world, login):
    c = login(world.coordinator)
    response = c.get("/curators/assignments/grid/?all=1")
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["school"] == world.a1_school1)
    assert [a.curator for a in row["assignments"]] == [world.curator]
    work = c.get("/curators/workload/").context["rows"]
    assert [(r["curator_id"], r["schools"]) for r in work] == [(world.curator.pk, 1)]
    assert login(world.school_admin).get("/curators/assignments/grid/").status_code == 404
    assert login(world.coordinator_b1).get("/curators/workload/").context["rows"] == []


@pytest.mark.parametrize(
    "user_attr, count", [("coordinator", 1), ("school_admin", 1), ("curator", 1), ("school_admin2", 0), ("outsider", 0)]
)
def test_assignment_scoping_page_and_api(world, login, api, user_attr, count):
    user = getattr(world, user_attr)
    page = login(user).get("/curators/assignments/")
    assert len(page.context["table"].page.object_list) == count
    assert api(user).get("/api/v1/curator-assignments/").json()["count"] == count
    a = CuratorAssignment.objects.get()
    assert login(user).get(f"/curators/assignments/{a.pk}/").status_code == (200 if count else 404)


def test_assignment_api_refuses_own_school(world, api):
    r = api(world.coordinator).post(
        "/api/v1/curator-assignments/",
        {"curator": world.curator.pk, "school": world.a1_curator_school.pk, "year": current_academic_year()},
    )
    assert r.status_code == 400
    assert "собственную школу" in r.content.decode()
    r = api(world.school_admin).post(
        "/api/v1/curator-assignments/",
        {
            "curator": world.curator.pk,
            "school": world.a1_school1.pk,
            "year": current_academic_year(),
            "role": "regional_curator",
        },
    )
    assert r.status_code in (400, 403)
    assert CuratorAssignment.objects.count() == 1


def test_ending_assignment_is_history(world, login):
    a = CuratorAssignment.objects.get()
    c = login(world.coordinator)
    assert c.post(f"/curators/assignments/{a.pk}/end/").status_code == 302
    a.refresh_from_db()
    assert not a.is_active
    page = c.get(f"/curators/assignments/{a.pk}/").content.decode()
    assert "История изменений" in page and "активный: да → нет" in page


def test_partner_pairs(world, login, api):
    order = OrderFactory(municipality=world.a1)
    c = login(world.coordinator)
    response = c.post(
        "/curators/pairs/new/",
        {"school": world.a1_school1.pk, "leader": world.a1_school2.pk, "year": 2020, "order": order.pk, "plan": "План"},
    )
    assert response.status_code == 302
    pair = PartnerPair.objects.get()
    response = c.post(
        "/curators/pairs/new/",
        {"school": world.a1_school1.pk, "leader": world.a1_school1.pk, "year": 2020, "order": order.pk},
    )
    assert "Школа не может быть партнёром сама себе" in response.content.decode()
    response = c.post(
        "/curators/pairs/new/", {"school": world.a1_school2.pk, "leader": world.a1_school1.pk, "year": 2020}
    )
    assert "Партнёрская пара должна опираться на приказ" in response.content.decode()
    assert PartnerPair.objects.count() == 1
    PartnerPairFactory(school=world.b1_school1, leader=world.b1_school1)
    assert {p["id"] for p in api(world.coordinator).get("/api/v1/partner-pairs/").json()["results"]} == {pair.pk}
    assert login(world.outsider).get(pair.get_absolute_url()).status_code == 404
    assert login(world.school_admin).get(pair.get_absolute_url()).status_code == 200


def test_assignment_list_query_count(world, login, django_assert_max_num_queries):
    c = login(world.coordinator)
    year = current_academic_year()
    with django_assert_max_num_queries(30) as small:
        c.get("/curators/assignments/")
    for _i in range(15):
        u = UserFactory(role="curator", school=world.a1_curator_school)
        CuratorAssignment.objects.create(
            curator=u, school=world.a1_school2, year=year, date_from=datetime.date(year, 9, 1)
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/curators/assignments/")


def test_appointment_without_order_refused(world, login):
    before = CuratorAssignment.objects.count()
    response = _post(login(world.coordinator), world, order="")
    assert response.status_code == 200
    assert "Назначение должно опираться на приказ" in response.content.decode()
    assert CuratorAssignment.objects.count() == before


def test_assignment_api_offers_the_pages_curators_only(world, api):
    """The API's curator follows the page's rule (scoping.appointable_curators, declared in
    the serializer's scope_fields): a person of another municipality is as unknown as a
    missing one; one of the coordinator's municipality is appointed."""
    order = OrderFactory(municipality=world.a1)
    body = {"school": world.a1_school2.pk, "year": current_academic_year(), "order": order.pk}
    client = api(world.coordinator)
    r = client.post("/api/v1/curator-assignments/", {**body, "curator": world.coordinator_b1.pk})
    assert r.status_code == 400
    assert "не существует" in r.content.decode()
    assert not CuratorAssignment.objects.filter(curator=world.coordinator_b1).exists()
    r = client.post("/api/v1/curator-assignments/", {**body, "curator": world.curator.pk})
    assert r.status_code == 201, r.content.decode()
    assert CuratorAssignment.objects.filter(curator=world.curator, school=world.a1_school2).exists()
