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
