"""The pages of the load benchmark make the same number of queries whatever the number of
schools (and of their statuses, risk profiles, visits, recommendations and assignments):
the coordinator's home, the school card, the schools list and the API lists, for each
role that reads them.  Counted cold — inside the test transaction the generation cache is
bypassed, so every request computes.  (The results pages' counts are asserted against the
size of the results in tests/assessment/test_access.py.)"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from core.years import current_academic_year
from curators.models import CuratorAssignment
from schools.models import RiskAssessment, RiskFactor, SchoolStatus, StatusKind
from tests.curators.factories import RecommendationFactory, VisitFactory
from tests.factories import OrderFactory, SchoolFactory

HOME = reverse("home")
LIST = reverse("schools:school-list")


def add_schools(world, n: int, start: int) -> list:
    """n more schools in A1, each with the data the home page and the card read."""
    year = current_academic_year()
    order = OrderFactory(municipality=world.a1)
    factors = list(RiskFactor.objects.filter(is_active=True)[:4])
    schools = []
    for i in range(start, start + n):
        school = SchoolFactory(municipality=world.a1, code=f"QC{i:03d}", short_name=f"СШ № {100 + i}")
        SchoolStatus.objects.create(school=school, kind=StatusKind.LOW_RESULTS, year_from=year - i % 2, order=order)
        for factor, level in zip(factors, ["high", "medium", "low", "none"], strict=False):
            RiskAssessment.objects.create(school=school, year=year, factor=factor, level=level)
        visit = VisitFactory(school=school, curator=world.curator)
        RecommendationFactory(visit=visit, due_date=timezone.localdate() - datetime.timedelta(days=3))
        CuratorAssignment.objects.create(curator=world.curator, school=school, year=year)
        schools.append(school)
    return schools


def count(client, url: str, **headers) -> int:
    client.get(url, **headers)  # once before: first-use bookkeeping (a token's last use) is not the page's
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["coordinator", "regional", "methodist", "curator", "school_admin"])
def test_home_page_queries_do_not_grow_with_the_schools(world, login, who):
    add_schools(world, 2, 0)
    client = login(getattr(world, who))
    small = count(client, HOME)
    add_schools(world, 25, 2)
    assert count(client, HOME) == small


@pytest.mark.parametrize("who", ["coordinator", "regional"])
def test_school_card_and_list_queries_do_not_grow_with_the_schools(world, login, who):
    first = add_schools(world, 2, 0)[0]
    client = login(getattr(world, who))
    card = reverse("schools:school-detail", args=[first.pk])
    small = {url: count(client, url) for url in (card, LIST, LIST + "?page=2", LIST + "?q=1")}
    more = add_schools(world, 60, 2)  # the list now has two pages
    for visit_school in more[:5]:  # and the card's school more visits
        VisitFactory(school=first, curator=world.curator, findings=visit_school.code)
    assert {url: count(client, url) for url in small} == small


def test_api_lists_queries_do_not_grow_with_the_schools(world, client):
    add_schools(world, 2, 0)
    headers = {"HTTP_AUTHORIZATION": f"Token {ApiToken.issue(world.coordinator)[1]}"}
    urls = ["/api/v1/schools/", "/api/v1/municipalities/", "/api/v1/schools/?page=2"]
    small = {url: count(client, url, **headers) for url in urls[:2]}
    add_schools(world, 60, 2)
    assert {url: count(client, url, **headers) for url in urls[:2]} == small
    assert count(client, urls[2], **headers) == small[urls[0]]
