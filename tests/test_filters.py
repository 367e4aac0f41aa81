"""Shared filters: readable controls on the pages, the same query parameters in the API."""

import re

import pytest
from django.urls import reverse

from core.years import current_academic_year
from curators.models import CuratorAssignment

pytestmark = pytest.mark.django_db


def select_options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_boolean_filters_offer_all_yes_no(world, login):
    html = login(world.coordinator).get(reverse("schools:school-list")).content.decode()
    assert select_options(html, "is_active") == [("", "Все"), ("true", "Да"), ("false", "Нет")]
    assert "Неизвестно" not in html


def test_boolean_filter_still_filters_page_and_api(world, login, api):
    world.a1_school2.is_active = False
    world.a1_school2.save()
    page = login(world.coordinator).get(reverse("schools:school-list"), {"is_active": "false"})
    assert [row.record.code for row in page.context["table"].page.object_list] == ["A1S2"]
    codes = [
        s["code"] for s in api(world.coordinator).get("/api/v1/schools/", {"is_active": "false"}).json()["results"]
    ]
    assert codes == ["A1S2"]


def test_year_filter_is_a_select_of_academic_years(world, login):
    year = current_academic_year()
    html = login(world.coordinator).get(reverse("curators:assignment-list"), {"year": year}).content.decode()
    options = select_options(html, "year")
    assert options[0] == ("", "Все")
    assert (str(year), f"{year}/{year + 1}") in options
    assert re.search(rf'<option value="{year}" selected>', html)


def test_year_filter_takes_any_year_in_the_api(world, api):
    year = current_academic_year()
    CuratorAssignment.objects.filter(school=world.a1_school1).update(year=2003)
    client = api(world.coordinator)
    rows = client.get("/api/v1/curator-assignments/", {"year": 2003}).json()["results"]
    assert {r["school"] for r in rows} == {world.a1_school1.pk}
    assert client.get("/api/v1/curator-assignments/", {"year": year}).json()["results"] == []


def test_id_filters_are_hidden_on_the_page_but_still_filter(world, login):
    client = login(world.coordinator)
    html = client.get(reverse("curators:assignment-list")).content.decode()
    assert re.search(r'<input type="hidden" name="school"', html)
    assert 'name="curator"' in html and ">Curator id<" not in html and ">Куратор (id)<" not in html
    page = client.get(reverse("curators:assignment-list"), {"school": world.a1_school1.pk})
    schools = {row.record.school_id for row in page.context["table"].page.object_list}
    assert schools == {world.a1_school1.pk}


def test_grade_filter_is_a_select(world, login):
    html = login(world.coordinator).get(reverse("assessment:group-list")).content.decode()
    options = select_options(html, "grade")
    assert options[0] == ("", "Все") and options[-1] == ("11", "11") and len(options) == 12


LISTS_WITH_A_MUNICIPALITY_FILTER = [
    "schools:school-list",
    "schools:order-list",
    "curators:assignment-list",
    "curators:pair-list",
    "roadmaps:roadmap-list",
    "roadmaps:report-list",
    "assessment:municipality",
]


@pytest.mark.parametrize("url_name", LISTS_WITH_A_MUNICIPALITY_FILTER)
def test_municipality_filter_only_for_those_who_work_in_several(world, login, client, url_name):
    url = reverse(url_name)
    regional = login(world.regional).get(url)
    assert regional.status_code == 200
    assert "municipality" in regional.context["filter"].form.fields
    assert re.search(r'<select name="municipality"', regional.content.decode())
    client.logout()
    for user in (world.coordinator, world.methodist, world.school_admin):
        page = login(user).get(url)
        assert page.status_code == 200, user
        assert "municipality" not in page.context["filter"].form.fields, user
        assert 'name="municipality"' not in page.content.decode(), user
        client.logout()


def test_municipality_parameter_still_filters_the_api(world, api):
    def codes(user, **params):
        response = api(user).get("/api/v1/schools/", params)
        assert response.status_code == 200, response.content
        return sorted(s["code"] for s in response.json()["results"])

    assert codes(world.regional, municipality=world.a2.pk) == ["A2S1"]
    assert codes(world.coordinator, municipality=world.a1.pk) == ["A1S1", "A1S2", "A1S3"]
    # outside the coordinator's scope: refused, as before
    assert api(world.coordinator).get("/api/v1/schools/", {"municipality": world.a2.pk}).status_code == 400


def test_a_filter_select_offers_all_not_dashes(world, login):
    html = login(world.curator).get(reverse("curators:visit-list")).content.decode()
    assert "---------" not in html
    assert '<option value="" selected>Все</option>' in html
