"""/api/v1/regions/ and /api/v1/assessment/municipality-summary/: scoped, and the same
figures as the comparison page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
SUMMARY = "/api/v1/assessment/municipality-summary/"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("regional", ["Область А"]),
        ("coordinator", ["Область А"]),
        ("outsider", ["Область Б"]),
        ("superuser", ["Область А", "Область Б"]),
    ],
)
def test_regions_list_is_scoped(world, api, who, expected):
    data = api(getattr(world, who)).get("/api/v1/regions/").json()
    assert [r["name"] for r in data["results"]] == expected


def test_region_detail_of_another_region_is_absent(world, api):
    assert api(world.regional).get(f"/api/v1/regions/{world.region_b.pk}/").status_code == 404
    detail = api(world.regional).get(f"/api/v1/regions/{world.region_a.pk}/").json()
    assert sorted(detail["municipalities"]) == sorted([world.a1.pk, world.a2.pk])


def test_anonymous_gets_401(world, api):
    assert api().get(SUMMARY).status_code in (401, 403)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("regional", ["Округ А1", "Округ А2"]),
        ("coordinator", ["Округ А1"]),
        ("methodist", ["Округ А1"]),
        ("curator", []),
        ("school_admin", []),
    ],
)
def test_summary_rows_are_scoped(region, api, who, expected):
    data = api(getattr(region, who)).get(SUMMARY, {"year": region.year}).json()
    assert [r["municipality_name"] for r in data["results"]] == expected


def test_a_municipal_coordinator_cannot_ask_for_another_municipality(region, api):
    data = api(region.coordinator).get(SUMMARY, {"year": region.year, "municipality": region.a2.pk})
    assert data.status_code == 400 or data.json()["results"] == []


def test_summary_equals_the_page(region, api, login):
    rows = {
        r["municipality_name"]: r for r in api(region.regional).get(SUMMARY, {"year": region.year}).json()["results"]
    }
    page = {
        r["municipality"]: r
        for r in login(region.regional).get(reverse("regional:dashboard"), {"year": region.year}).context["rows"]
    }
    for name in ("Округ А1", "Округ А2"):
        assert rows[name]["year"] == region.year
        for key in (
            "low_results",
            "candidates",
            "spread",
            "results_mean_percent",
            "curator_coverage",
            "visits",
            "overdue_recommendations",
            "reports_on_time_share",
            "events_held",
            "participants",
        ):
            assert rows[name][key] == (
                pytest.approx(page[name][key]) if isinstance(page[name][key], float) else page[name][key]
            ), key
    assert 0 <= rows["Округ А1"]["curator_coverage"] <= 1, "shares are fractions in the API"


def test_summary_filters_by_procedure_and_subject(region, api):
    rows = api(region.regional).get(SUMMARY, {"year": region.year, "procedure": "ЕГЭ"}).json()["results"]
    assert all(r["results_participants"] == 0 and r["results_mean_percent"] is None for r in rows)
    bad = api(region.regional).get(SUMMARY, {"year": "abc"})
    assert bad.status_code == 400


@pytest.mark.parametrize("year", ["1", "0", "-5", "1999", "2101", "99999"])
def test_a_year_the_portal_cannot_hold_is_a_400_with_the_reason(region, api, login, year):
    """?year= outside the years the portal stores answers 400 naming the parameter (it was
    a 500: «year 0 is out of range» from the academic year's bounds); the regional page
    with the same year answers, its filter showing the error."""
    response = api(region.regional).get(SUMMARY, {"year": year})
    assert response.status_code == 400
    assert "2000" in response.json()["errors"]["year"][0] or "2100" in response.json()["errors"]["year"][0]
    assert api(region.regional).get(SUMMARY, {"year": "2100"}).status_code == 200
    for name in ("regional:dashboard", "regional:schools", "regional:results"):
        page = login(region.regional).get(reverse(name), {"year": year})
        assert page.status_code == 200, name
