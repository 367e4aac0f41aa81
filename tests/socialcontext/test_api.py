"""CONTEXT.md §5: the three read endpoints, their fields exactly, filters, scope."""

import pytest
from pytest import approx

from socialcontext.models import ContextFit, PartnerSuggestion, SchoolContextFigure
from tests.socialcontext.conftest import YEAR, linear_row

pytestmark = pytest.mark.django_db


def rows(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_school_context_fields_and_values(world, api, fitted):
    got = rows(api(world.coordinator), "/api/v1/assessment/school-context/", year=YEAR)
    assert len(got) == 10
    assert set(got[0]) == {
        "school_code",
        "year",
        "context_index",
        "school_index",
        "expected",
        "residual",
        "category",
        "anomaly",
    }
    by_code = {r["school_code"]: r for r in got}
    for code, school in fitted.items():
        f = SchoolContextFigure.objects.get(school=school, year=YEAR)
        r = by_code[code]
        assert (r["context_index"], r["school_index"], r["expected"], r["residual"]) == (
            approx(f.context_index),
            approx(f.school_index),
            approx(f.expected),
            approx(f.residual),
        )
        assert (r["category"], r["anomaly"]) == (f.category, f.anomaly)
    assert by_code["K02"]["category"] == "resilient" and by_code["K02"]["anomaly"] is True


def test_fit_fields_are_null_where_no_fit(world, api, schools_in, add_context, add_index):
    from socialcontext.services import context_analysis_run

    for i, school in enumerate(schools_in(world.a2, 3, "N")):
        add_context(school, YEAR, **linear_row(10 * i + 10))
        add_index(school, YEAR, 0.2 * i)
    context_analysis_run()
    got = rows(api(world.regional), "/api/v1/assessment/school-context/", municipality=world.a2.pk)
    assert len(got) == 3
    assert all(r["expected"] is None and r["residual"] is None and r["category"] is None for r in got)
    assert all(r["anomaly"] is False and r["school_index"] is not None for r in got)
    assert rows(api(world.regional), "/api/v1/assessment/context-fits/", municipality=world.a2.pk) == []


def test_context_fits(world, api, fitted):
    got = rows(api(world.coordinator), "/api/v1/assessment/context-fits/")
    fit = ContextFit.objects.get(municipality=world.a1, year=YEAR)
    assert got == [
        {
            "municipality": world.a1.name,
            "year": YEAR,
            "schools": 10,
            "intercept": approx(fit.intercept),
            "slope": approx(fit.slope),
            "r2": approx(fit.r2),
            "sigma_residual": approx(fit.sigma_residual),
        }
    ]
    assert rows(api(world.coordinator), "/api/v1/assessment/context-fits/", school=fitted["K01"].pk) == got
    assert rows(api(world.coordinator), "/api/v1/assessment/context-fits/", year=YEAR - 1) == []


def test_partner_suggestions(world, api, fitted):
    got = rows(api(world.coordinator), "/api/v1/assessment/partner-suggestions/", year=YEAR)
    s = PartnerSuggestion.objects.get(school=fitted["K07"])
    row = next(r for r in got if r["school_code"] == "K07")
    assert (row["year"], row["partner_code"], row["rank"]) == (YEAR, "K06", 1)
    assert set(row) == {"school_code", "year", "partner_code", "rank", "context_gap", "index_gap"}
    assert (row["context_gap"], row["index_gap"]) == (approx(s.context_gap), approx(s.index_gap))
    assert {r["school_code"] for r in got} == {"K01", "K07"}
    assert (
        rows(api(world.coordinator), "/api/v1/assessment/partner-suggestions/", school=fitted["K01"].pk)[0][
            "partner_code"
        ]
        == "K02"
    )


def test_scope(world, api, fitted, add_context):
    # Outside the municipality: nothing.
    for url in ("school-context", "context-fits", "partner-suggestions"):
        assert rows(api(world.coordinator_b1), f"/api/v1/assessment/{url}/") == []
    # A school administrator sees their own school's figure, never another school's, and no suggestion
    # naming a partner they may not see.
    add_context(world.a1_school1, YEAR, **linear_row(45))
    from socialcontext.services import context_analysis_run

    context_analysis_run()
    got = rows(api(world.school_admin), "/api/v1/assessment/school-context/")
    assert [r["school_code"] for r in got] == ["A1S1"]
    assert rows(api(world.school_admin), "/api/v1/assessment/partner-suggestions/") == []
    assert api().get("/api/v1/assessment/school-context/").status_code in (401, 403)


def test_api_is_read_only(world, api, fitted):
    for url in ("school-context", "context-fits", "partner-suggestions"):
        assert api(world.coordinator).post(f"/api/v1/assessment/{url}/", {}).status_code == 405
