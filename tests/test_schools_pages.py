"""School list, card, create/edit and export through the pages, tried by every role."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from schools.models import School

pytestmark = pytest.mark.django_db

LIST = reverse("schools:school-list")


def list_codes(response) -> list[str]:
    return sorted(row.record.code for row in response.context["table"].page.object_list)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("superuser", ["A1S1", "A1S2", "A1S3", "A2S1", "B1S1"]),
        ("regional", ["A1S1", "A1S2", "A1S3", "A2S1"]),
        ("coordinator", ["A1S1", "A1S2", "A1S3"]),
        ("methodist", ["A1S1", "A1S2", "A1S3"]),
        ("curator", ["A1S1"]),
        ("school_admin", ["A1S1"]),
        ("outsider", ["B1S1"]),
        ("no_role", []),
    ],
)
def test_list_rows_follow_scope(world, login, who, expected):
    response = login(getattr(world, who)).get(LIST)
    assert response.status_code == 200
    assert list_codes(response) == expected


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_list_filters_and_search(world, login):
    c = login(world.regional)
    assert list_codes(c.get(LIST, {"municipality": world.a2.pk})) == ["A2S1"]
    assert list_codes(c.get(LIST, {"q": "Лицей"})) == ["A2S1"]
    assert list_codes(c.get(LIST, {"code": "A1S2"})) == ["A1S2"]
    School.objects.filter(code="A1S1").update(is_rural=True)
    assert list_codes(c.get(LIST, {"is_rural": "true"})) == ["A1S1"]


def test_list_filter_by_another_municipality_is_refused(world, login, client):
    response = login(world.regional).get(LIST, {"municipality": world.b1.pk})  # another region's
    assert response.status_code == 200
    assert "municipality" in response.context["filter"].errors
    assert list_codes(response) == []
    client.logout()
    # a municipal coordinator's page has no municipality field: the parameter is not read
    # and their own schools are all they get
    response = login(world.coordinator).get(LIST, {"municipality": world.b1.pk})
    assert response.status_code == 200
    assert list_codes(response) == ["A1S1", "A1S2", "A1S3"]


def test_list_status_filter(world, login):
    from core.years import current_academic_year
    from schools.models import SchoolStatus, StatusKind
    from tests.factories import OrderFactory

    order = OrderFactory(municipality=world.a1)
    SchoolStatus.objects.create(
        school=world.a1_school2, kind=StatusKind.LOW_RESULTS, year_from=current_academic_year(), order=order
    )
    SchoolStatus.objects.create(
        school=world.a1_school1, kind=StatusKind.LOW_RESULTS, year_from=2015, year_to=2016, order=order
    )
    response = login(world.coordinator).get(LIST, {"status": StatusKind.LOW_RESULTS})
    assert list_codes(response) == ["A1S2"]


def test_list_sorting(world, login):
    response = login(world.coordinator).get(LIST, {"sort": "-code"})
    assert [r.record.code for r in response.context["table"].page.object_list] == ["A1S3", "A1S2", "A1S1"]


def test_list_query_count_does_not_grow(world, login):
    from tests.factories import SchoolFactory
    from tests.test_query_counts import count  # the session store's reads are the cache's state, not the page's

    c = login(world.regional)
    small = count(c, LIST)
    assert small <= 12
    SchoolFactory.create_batch(40, municipality=world.a1)
    assert count(c, LIST) <= small
    assert len(c.get(LIST).context["table"].page.object_list) == 44


def test_detail_in_and_out_of_scope(world, login):
    url = reverse("schools:school-detail", args=[world.a1_school1.pk])
    assert login(world.school_admin).get(url).status_code == 200
    assert login(world.curator).get(url).status_code == 200
    assert login(world.school_admin2).get(url).status_code == 404
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.coordinator_a2).get(url).status_code == 404


def test_coordinator_creates_school(world, login):
    c = login(world.coordinator)
    data = {
        "municipality": world.a1.pk,
        "code": "NEW1",
        "name": "Средняя школа № 77",
        "short_name": "СШ № 77",
        "kind": "sosh",
        "is_active": "on",
        "email": "school77@example.org",
    }
    response = c.post(reverse("schools:school-create"), data)
    assert response.status_code == 302
    school = School.objects.get(code="NEW1")
    assert school.municipality == world.a1
    assert school.history.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"code": "A1S2"}, "code", "Школа с таким кодом уже существует."),
        ({"name": "   "}, "name", "Обязательное поле."),
        ({"email": "not-an-email"}, "email", "Введите правильный адрес электронной почты."),
    ],
)
def test_create_school_bad_input(world, login, change, field, message):
    c = login(world.coordinator)
    data = {"municipality": world.a1.pk, "code": "NEW2", "name": "Школа", "short_name": "Ш", "kind": "sosh", **change}
    before = School.objects.count()
    response = c.post(reverse("schools:school-create"), data, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert School.objects.count() == before


def test_coordinator_cannot_create_school_in_other_municipality(world, login):
    c = login(world.coordinator)
    data = {"municipality": world.b1.pk, "code": "NEW3", "name": "Школа", "short_name": "Ш", "kind": "sosh"}
    response = c.post(reverse("schools:school-create"), data)
    assert response.status_code == 200
    assert "municipality" in response.context["form"].errors
    assert not School.objects.filter(code="NEW3").exists()


@pytest.mark.parametrize("who", ["school_admin", "curator", "methodist"])
def test_non_coordinators_cannot_create_or_edit(world, login, who):
    c = login(getattr(world, who))
    assert c.get(reverse("schools:school-create")).status_code == 404
    response = c.post(reverse("schools:school-edit", args=[world.a1_school1.pk]), {"name": "X"})
    assert response.status_code == 404
    world.a1_school1.refresh_from_db()
    assert world.a1_school1.name != "X"


def test_coordinator_edits_and_deactivates_school(world, login):
    c = login(world.coordinator)
    s = world.a1_school1
    data = {
        "municipality": world.a1.pk,
        "code": s.code,
        "name": s.name,
        "short_name": "СШ № 1 (нов.)",
        "kind": "lyceum",
    }
    response = c.post(reverse("schools:school-edit", args=[s.pk]), data)
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.short_name, s.kind, s.is_active) == ("СШ № 1 (нов.)", "lyceum", False)
    assert s.history.first().history_user == world.coordinator
    assert login(world.coordinator_a2).post(reverse("schools:school-edit", args=[s.pk]), data).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"), [("coordinator", 3), ("school_admin", 1), ("outsider", 1), ("regional", 4)]
)
def test_xlsx_export_has_the_page_rows(world, login, who, expected):
    response = login(getattr(world, who)).get(LIST, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == expected + 1
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref is not None


def test_xlsx_export_respects_filters(world, login):
    response = login(world.regional).get(LIST, {"export": "xlsx", "municipality": world.a2.pk})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    code = rows[0].index("Код")
    assert [(r[0], r[code]) for r in rows[1:]] == [("Лицей № 9", "A2S1")]


@pytest.mark.parametrize(("who", "shown"), [("regional", True), ("superuser", True), ("coordinator", False)])
def test_municipality_column_only_for_those_who_see_several(world, login, who, shown):
    response = login(getattr(world, who)).get(LIST)
    assert ("municipality" in response.context["table"].columns.names()) is shown
    headers = next(
        load_workbook(io.BytesIO(login(getattr(world, who)).get(LIST, {"export": "xlsx"}).content)).active.iter_rows(
            values_only=True
        )
    )
    assert ("Муниципалитет" in headers) is shown


@pytest.mark.parametrize(
    ("language", "message"), [("ru", "Изменения сохранены."), ("en", "The school has been saved.")]
)
def test_the_saved_message_is_in_the_readers_language(world, login, language, message):
    world.coordinator.language = language
    world.coordinator.save(update_fields=["language"])
    s = world.a1_school1
    data = {"municipality": world.a1.pk, "code": s.code, "name": s.name, "short_name": s.short_name, "kind": s.kind}
    response = login(world.coordinator).post(reverse("schools:school-edit", args=[s.pk]), data, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [message]


def test_the_generic_saved_message_is_translated_when_shown_not_when_imported():
    from django.utils import translation

    from core.generic import ScopedFormMixin

    with translation.override("en"):
        assert str(ScopedFormMixin.success_message) == "Saved."
    with translation.override("ru"):
        assert str(ScopedFormMixin.success_message) == "Сохранено."


def test_sort_key_puts_numbers_in_their_order():
    from schools.models import sort_key

    names = ["СШ № 19", "Лицей № 9", "СШ № 2", "сш № 11", "Центр образования «Аксиома»", "СШ № 1"]
    assert sorted(names, key=sort_key) == [
        "Лицей № 9",
        "СШ № 1",
        "СШ № 2",
        "сш № 11",
        "СШ № 19",
        "Центр образования «Аксиома»",
    ]


def test_schools_are_listed_in_natural_order_and_a_renamed_school_moves(world, login):
    from tests.factories import SchoolFactory

    for n in (19, 3, 11):
        SchoolFactory(municipality=world.a1, short_name=f"СШ № {n}", name=f"Средняя школа № {n}")
    c = login(world.coordinator)

    def names(**params):
        response = c.get(reverse("schools:school-list"), params)
        return [r.record.short_name for r in response.context["table"].page.object_list]

    got = [n for n in names() if n.startswith("СШ № ")]
    assert got == sorted(got, key=lambda n: int(n.split()[-1].split()[0]))
    assert names(sort="-short_name")[:1] == ["СШ № 34"]
    school = world.a1.schools.get(short_name="СШ № 3")
    school.short_name = "СШ № 40"
    school.save(update_fields=["short_name"])
    assert names(sort="-short_name")[:1] == ["СШ № 40"]


@pytest.mark.parametrize(
    "url_name", ["schools:school-create", "schools:status-create", "schools:order-create", "events:event-create"]
)
def test_form_selects_prompt_to_choose_instead_of_dashes(world, login, url_name):
    response = login(world.coordinator).get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "---------" not in html
    assert "— выберите —" in html
