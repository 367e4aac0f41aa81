"""Statuses and yearly lists: the one-step list with entries and exits, refusals with
Russian messages and nothing saved, movement page, school card, API, history."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schools import services
from schools.models import SchoolStatus, StatusKind
from schools.selectors import status_movement
from tests.factories import MunicipalityFactory, OrderFactory, SchoolFactory
from tests.programmes.factories import SchoolStatusFactory

# Smolensk's lists 2017–2020 (seed facts), school numbers only.
SMOLENSK_LISTS = {
    2017: [1, 15, 18, 19, 22],
    2018: [1, 15, 18, 19, 22],
    2019: [1, 9, 10, 17, 19, 25, 36, 38],
    2020: [1, 5, 9, 10, 12, 24, 25, 28, 38],
}


@pytest.fixture
def smolensk(world):
    muni = MunicipalityFactory(region=world.region_a, name="город Смоленск")
    schools = {n: SchoolFactory(municipality=muni, short_name=f"СШ № {n}", code=f"SM{n}") for n in range(1, 41)}
    return muni, schools


def test_smolensk_lists_reproduce_entries_and_exits(world, smolensk):
    muni, schools = smolensk
    orders = {}
    for year, numbers in SMOLENSK_LISTS.items():
        orders[year] = OrderFactory(municipality=muni)
        result = services.status_list_set(
            municipality=muni,
            kind=StatusKind.LOW_RESULTS,
            year=year,
            schools=[schools[n] for n in numbers],
            order=orders[year],
            user=world.superuser,
        )
        assert len(result["entered"]) + len(result["stayed"]) == len(numbers)
    rows = {r["year"]: r for r in status_movement(muni, StatusKind.LOW_RESULTS, range(2017, 2021))}
    got = {y: (r["total"], r["entered"], r["stayed"], r["left"]) for y, r in rows.items()}
    assert got == {2017: (5, 5, 0, 0), 2018: (5, 0, 5, 0), 2019: (8, 6, 2, 3), 2020: (9, 4, 5, 3)}
    # СШ № 15 left after 2018: its status ends in 2018/2019 per the 2019 order.
    st15 = SchoolStatus.objects.get(school=schools[15])
    assert (st15.year_from, st15.year_to, st15.end_order) == (2017, 2018, orders[2019])
    # СШ № 1 stayed all four years in one status.
    assert SchoolStatus.objects.filter(school=schools[1]).count() == 1
    # Setting the same list again changes nothing.
    before = list(SchoolStatus.objects.values_list("id", "year_from", "year_to"))
    services.status_list_set(
        municipality=muni,
        kind=StatusKind.LOW_RESULTS,
        year=2020,
        schools=[schools[n] for n in SMOLENSK_LISTS[2020]],
        order=orders[2020],
        user=world.superuser,
    )
    assert list(SchoolStatus.objects.values_list("id", "year_from", "year_to")) == before


def test_all_seven_left(world):
    schools = [SchoolFactory(municipality=world.a1) for _ in range(7)]
    o22, o23 = OrderFactory(municipality=world.a1), OrderFactory(municipality=world.a1)
    services.status_list_set(
        municipality=world.a1,
        kind=StatusKind.LOW_RESULTS,
        year=2022,
        schools=schools,
        order=o22,
        user=world.coordinator,
    )
    result = services.status_list_set(
        municipality=world.a1, kind=StatusKind.LOW_RESULTS, year=2023, schools=[], order=o23, user=world.coordinator
    )
    assert len(result["left"]) == 7
    row = status_movement(world.a1, StatusKind.LOW_RESULTS, [2023])[0]
    assert (row["total"], row["left"]) == (0, 7)
    assert set(SchoolStatus.objects.values_list("year_to", "end_order")) == {(2022, o23.pk)}


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({"order": None}, "order", "должен опираться на приказ"),
        ({"year": 1990}, "year", "Учебный год должен быть"),
        ({"year": 2100}, "year", "Учебный год должен быть"),
    ],
)
def test_list_set_refusals_save_nothing(world, kwargs, field, message):
    order = OrderFactory(municipality=world.a1)
    SchoolStatusFactory(school=world.a1_school2, year_from=2021, order=order)
    before = list(SchoolStatus.objects.values_list("id", "year_from", "year_to"))
    args = {"year": 2022, "order": order, **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.status_list_set(
            municipality=world.a1,
            kind=StatusKind.LOW_RESULTS,
            year=args["year"],
            schools=[world.a1_school1],
            order=args["order"],
            user=world.coordinator,
        )
    assert message in " ".join(exc.value.message_dict[field])
    assert list(SchoolStatus.objects.values_list("id", "year_from", "year_to")) == before


def test_list_set_refuses_foreign_school_and_other_user(world):
    order = OrderFactory(municipality=world.a1)
    with pytest.raises(ValidationError) as exc:
        services.status_list_set(
            municipality=world.a1,
            kind=StatusKind.LOW_RESULTS,
            year=2022,
            schools=[world.b1_school1],
            order=order,
            user=world.coordinator,
        )
    assert "Не школы этого муниципалитета" in str(exc.value)
    with pytest.raises(ValidationError):
        services.status_list_set(
            municipality=world.a1,
            kind=StatusKind.LOW_RESULTS,
            year=2022,
            schools=[world.a1_school1],
            order=order,
            user=world.coordinator_a2,
        )
    assert not SchoolStatus.objects.exists()


def test_yearly_list_page(world, login):
    order = OrderFactory(municipality=world.a1)
    c = login(world.coordinator)
    assert c.get("/schools/statuses/yearly-list/").status_code == 200
    response = c.post(
        "/schools/statuses/yearly-list/",
        {
            "municipality": world.a1.pk,
            "kind": StatusKind.LOW_RESULTS,
            "year": 2024,
            "order": order.pk,
            "schools": [world.a1_school1.pk, world.a1_school2.pk],
        },
    )
    assert response.status_code == 302
    assert SchoolStatus.objects.filter(year_from=2024, order=order).count() == 2
    page = c.get(response["Location"])
    assert page.status_code == 200
    assert [r["entered"] for r in page.context["rows"] if r["year"] == 2024] == [2]


def test_yearly_list_page_without_order(world, login):
    response = login(world.coordinator).post(
        "/schools/statuses/yearly-list/",
        {"municipality": world.a1.pk, "kind": StatusKind.LOW_RESULTS, "year": 2024, "schools": [world.a1_school1.pk]},
    )
    assert response.status_code == 200
    assert "Перечень школ должен опираться на приказ" in response.content.decode()
    assert not SchoolStatus.objects.exists()


@pytest.mark.parametrize("user_attr", ["school_admin", "curator", "methodist", "outsider"])
def test_yearly_list_page_refused(world, login, user_attr):
    assert login(getattr(world, user_attr)).get("/schools/statuses/yearly-list/").status_code == 404


def test_overlapping_status_refused_on_page(world, login):
    order = OrderFactory(municipality=world.a1)
    existing = SchoolStatusFactory(school=world.a1_school1, year_from=2020, year_to=2023, order=order)
    response = login(world.coordinator).post(
        "/schools/statuses/new/",
        {"school": world.a1_school1.pk, "kind": StatusKind.LOW_RESULTS, "year_from": 2022, "order": order.pk},
    )
    assert response.status_code == 200
    assert "уже имеет этот статус" in response.content.decode()
    assert list(SchoolStatus.objects.values_list("id", "year_to")) == [(existing.pk, 2023)]


def test_status_without_order_refused_on_page(world, login):
    response = login(world.coordinator).post(
        "/schools/statuses/new/", {"school": world.a1_school1.pk, "kind": StatusKind.LEADER, "year_from": 2022}
    )
    assert response.status_code == 200
    assert "Статус должен опираться на приказ" in response.content.decode()
    assert not SchoolStatus.objects.exists()


def test_status_years_reversed_refused(world):
    order = OrderFactory(municipality=world.a1)
    with pytest.raises(ValidationError) as exc:
        services.status_create(
            user=world.coordinator,
            school=world.a1_school1,
            kind=StatusKind.LEADER,
            year_from=2022,
            year_to=2020,
            order=order,
        )
    assert "раньше первого" in str(exc.value)
    assert not SchoolStatus.objects.exists()


def test_status_history_on_card_and_edit_page(world, login):
    order, end = OrderFactory(municipality=world.a1, number="400"), OrderFactory(municipality=world.a1, number="431")
    st = SchoolStatusFactory(school=world.a1_school1, year_from=2021, order=order)
    c = login(world.coordinator)
    response = c.post(
        f"/schools/statuses/{st.pk}/edit/",
        {
            "school": world.a1_school1.pk,
            "kind": st.kind,
            "year_from": 2021,
            "year_to": 2022,
            "order": order.pk,
            "end_order": end.pk,
        },
    )
    assert response.status_code == 302
    st.refresh_from_db()
    assert st.year_to == 2022 and st.history.count() == 2
    assert st.history.first().history_user == world.coordinator
    page = c.get(f"/schools/statuses/{st.pk}/edit/").content.decode()
    assert "2022" in page and "История изменений" in page
    card = c.get(f"/schools/{world.a1_school1.pk}/").content.decode()
    assert "2021/2022" in card and "2022/2023" in card and "№ 431" in card


@pytest.mark.parametrize(
    "user_attr, visible",
    [("coordinator", {"a1s1", "a1s2"}), ("school_admin", {"a1s1"}), ("curator", {"a1s1"}), ("outsider", set())],
)
def test_status_scoping_page_and_api(world, login, api, user_attr, visible):
    statuses = {
        "a1s1": SchoolStatusFactory(school=world.a1_school1),
        "a1s2": SchoolStatusFactory(school=world.a1_school2),
        "b1": SchoolStatusFactory(school=world.b1_school1),
    }
    if user_attr == "outsider":
        visible = {"b1"}
    user = getattr(world, user_attr)
    expected = {statuses[k].pk for k in visible}
    page = login(user).get("/schools/statuses/")
    assert {row.record.pk for row in page.context["table"].page.object_list} == expected
    data = api(user).get("/api/v1/statuses/").json()
    assert {s["id"] for s in data["results"]} == expected


def test_status_api_overlap_refused(world, api):
    order = OrderFactory(municipality=world.a1)
    SchoolStatusFactory(school=world.a1_school1, year_from=2020, order=order)
    r = api(world.coordinator).post(
        "/api/v1/statuses/",
        {"school": world.a1_school1.pk, "kind": StatusKind.LOW_RESULTS, "year_from": 2023, "order": order.pk},
    )
    assert r.status_code == 400
    assert "уже имеет этот статус" in r.content.decode()
    assert SchoolStatus.objects.count() == 1
    assert api(world.school_admin).post(
        "/api/v1/statuses/",
        {"school": world.a1_school1.pk, "kind": StatusKind.LEADER, "year_from": 2023, "order": order.pk},
    ).status_code in (400, 403)
    assert SchoolStatus.objects.count() == 1


def test_movement_page_and_query_count(world, login, django_assert_max_num_queries):
    schools = [SchoolFactory(municipality=world.a1) for _ in range(6)]
    for year in (2020, 2021, 2022):
        services.status_list_set(
            municipality=world.a1,
            kind=StatusKind.LOW_RESULTS,
            year=year,
            schools=schools[year - 2020 : year - 2017],
            order=OrderFactory(municipality=world.a1),
            user=world.coordinator,
        )
    c = login(world.coordinator)
    with django_assert_max_num_queries(15):
        response = c.get(f"/schools/statuses/movement/?municipality={world.a1.pk}&kind=low_results")
    assert response.status_code == 200
    rows = {r["year"]: (r["entered"], r["stayed"], r["left"]) for r in response.context["rows"]}
    assert rows[2021] == (1, 2, 1)
    assert "<svg" in response.content.decode()


def test_status_list_page_query_count(world, login, django_assert_max_num_queries):
    c = login(world.coordinator)
    for _ in range(3):
        SchoolStatusFactory(school=SchoolFactory(municipality=world.a1))
    with django_assert_max_num_queries(30) as small:
        c.get("/schools/statuses/")
    for _ in range(20):
        SchoolStatusFactory(school=SchoolFactory(municipality=world.a1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/schools/statuses/")


def test_yearly_list_page_junk_params(world, login):
    c = login(world.coordinator)
    assert c.get("/schools/statuses/yearly-list/?year=abc&kind=zzz&municipality=x").status_code == 200
    assert c.get("/schools/statuses/movement/?kind=zzz&municipality=x").status_code == 200
    assert c.get("/schools/risks/heatmap/?year=abc").status_code == 200
    assert c.get("/curators/planner/?year=abc").status_code == 200
    assert c.get("/curators/assignments/grid/?municipality=x&year=abc").status_code == 200
    assert c.get("/curators/workload/?year=abc").status_code == 200
    assert c.get("/curators/visits/new/?school=abc").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"), [("coordinator", 200), ("regional", 200), ("curator", 404), ("school_admin", 404)]
)
def test_status_movement_is_for_those_who_oversee_the_municipality(world, login, who, status):
    order = OrderFactory(municipality=world.a1)
    SchoolStatus.objects.create(school=world.a1_school2, kind=StatusKind.LOW_RESULTS, year_from=2022, order=order)
    response = login(getattr(world, who)).get(reverse("schools:status-movement"), {"municipality": world.a1.pk})
    assert response.status_code == status
    if status == 200:
        assert world.a1_school2.short_name in response.content.decode()


def test_yearly_list_offers_schools_in_natural_order(world, login):
    for name in ("СШ № 19", "СШ № 2", "СШ № 10"):
        SchoolFactory(municipality=world.a1, short_name=name, name=name)
    response = login(world.coordinator).get(reverse("schools:status-list-set"), {"municipality": world.a1.pk})
    labels = [label for _value, label in response.context["form"].fields["schools"].choices]
    numbered = [label for label in labels if label.startswith("СШ № ") and label[5:].isdigit()]
    assert numbered == sorted(numbered, key=lambda label: int(label[5:]))
    assert {"СШ № 2", "СШ № 10", "СШ № 19"} <= set(numbered)


def test_school_admin_home_shows_their_school_and_its_statuses(world, login):
    order = OrderFactory(municipality=world.a1)
    SchoolStatus.objects.create(school=world.a1_school1, kind=StatusKind.LOW_RESULTS, year_from=2020, order=order)
    SchoolStatus.objects.create(school=world.a1_school2, kind=StatusKind.LEADER, year_from=2020, order=order)
    html = login(world.school_admin).get(reverse("home")).content.decode()
    assert "Моя школа" in html and world.a1_school1.short_name in html
    assert "Низкие образовательные результаты (ШНОР)" in html
    assert "Школа-лидер" not in html  # another school's status
    assert "школ в зоне ответственности" not in html
    assert "школ в зоне ответственности" in login(world.coordinator).get(reverse("home")).content.decode()
