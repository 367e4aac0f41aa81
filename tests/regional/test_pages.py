"""The regional pages: who may open them, what their rows hold, sorting, filters, the typed
xlsx read back, the charts, and a fixed number of queries whatever the size of the region."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import MunicipalityFactory, SchoolFactory

pytestmark = pytest.mark.django_db
DASHBOARD, SCHOOLS, RESULTS = reverse("regional:dashboard"), reverse("regional:schools"), reverse("regional:results")


@pytest.mark.parametrize("url", [DASHBOARD, SCHOOLS, RESULTS])
@pytest.mark.parametrize("who", ["curator", "school_admin", "no_role"])
def test_pages_are_absent_for_those_who_oversee_no_municipality(world, login, who, url):
    assert login(getattr(world, who)).get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(world, client):
    assert client.get(DASHBOARD).status_code == 302


def names(response):
    return [row["municipality"] for row in response.context["rows"]]


def test_regional_coordinator_compares_every_municipality_of_the_region(region, login):
    response = login(region.regional).get(DASHBOARD, {"year": region.year})
    assert response.status_code == 200
    assert names(response) == ["Округ А1", "Округ А2"]
    assert response.context["total"]["municipality"] == "Регион, всего"
    body = response.content.decode()
    assert "Округ Б1" not in body and "<svg" in body
    assert response.context["total"]["low_results"] == 2


def test_municipal_coordinator_sees_only_their_municipality_and_no_total(region, login):
    response = login(region.coordinator).get(DASHBOARD, {"year": region.year})
    assert names(response) == ["Округ А1"]
    assert response.context["total"] is None


def test_sorting_by_a_figure_and_filtering_municipalities(region, login):
    c = login(region.regional)
    table = c.get(DASHBOARD, {"year": region.year, "sort": "-low_results"}).context["table"]
    assert [r.record["municipality"] for r in table.rows] == ["Округ А1", "Округ А2"]
    table = c.get(DASHBOARD, {"year": region.year, "sort": "low_results"}).context["table"]
    assert [r.record["municipality"] for r in table.rows] == ["Округ А2", "Округ А1"]
    response = c.get(DASHBOARD, {"year": region.year, "municipality": region.a2.pk})
    assert names(response) == ["Округ А2"]
    # a municipality of another region is not a valid choice: nothing of B1 shows
    response = c.get(DASHBOARD, {"year": region.year, "municipality": region.b1.pk})
    assert "Округ Б1" not in response.content.decode()


def test_groups_and_charts(region, login):
    c = login(region.regional)
    response = c.get(DASHBOARD, {"year": region.year, "group": "support", "chart": "overdue_recommendations"})
    assert next(f.key for f in response.context["figures"]) == "curator_coverage"
    assert response.context["chart_figure"].key == "overdue_recommendations"
    assert "Просроченные рекомендации" in response.context["chart_wide"]
    # unknown values fall back to the first group and figure
    response = c.get(DASHBOARD, {"group": "x", "chart": "y"})
    assert response.status_code == 200 and response.context["chart_figure"].key == "low_results"


def test_xlsx_holds_every_figure_typed(region, login):
    response = login(region.regional).get(DASHBOARD, {"year": region.year, "export": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[1]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert set(rows) == {"Округ А1", "Округ А2", "Регион, всего"}
    label = f"ШНОР — {region.year}/{region.year + 1}"
    assert rows["Округ А1"][header.index(label)].value == 2
    share = header.index(f"ШНОР с куратором, % — {region.year}/{region.year + 1}")
    assert rows["Округ А1"][share].value == 50.0 and rows["Округ А1"][share].data_type == "n"
    mean = header.index(f"Средний процент — {region.year}/{region.year + 1}")
    assert isinstance(rows["Регион, всего"][mean].value, float)


def test_region_wide_list_of_low_results_and_candidates(region, login):
    from regional.models import RegionalSchoolIndex

    response = login(region.regional).get(SCHOOLS, {"year": region.year})
    records = {r.record.code: r.record for r in response.context["table"].rows}
    candidates = set(
        RegionalSchoolIndex.objects.filter(year=region.year, candidate=True).values_list("school__code", flat=True)
    )
    assert {"A1S1", "A1S2"} <= set(records), "this year's ШНОР"
    assert candidates <= set(records)
    assert "B1S1" not in records
    assert records["A1S1"].municipality.name == "Округ А1"
    regional = RegionalSchoolIndex.objects.get(school=region.a1_school1, year=region.year)
    assert records["A1S1"].regional_index == pytest.approx(regional.value)
    body = response.content.decode()
    assert "Индекс в регионе" in body and "Индекс в муниципалитете" in body
    xlsx = login(region.regional).get(SCHOOLS, {"year": region.year, "export": "xlsx"})
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in ws[1]]
    assert "Индекс в регионе" in header
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == region.a1_school1.short_name)
    assert row[header.index("Индекс в регионе")] == round(regional.value, 2)
    filtered = login(region.regional).get(SCHOOLS, {"year": region.year, "low_results": "true"})
    assert {r.record.code for r in filtered.context["table"].rows} == {"A1S1", "A1S2"}


def test_results_by_municipality(region, login):
    response = login(region.regional).get(RESULTS, {"year": region.year})
    rows = {(r["municipality"], r["procedure"], r["subject"]): r for r in response.context["rows"]}
    assert set(rows) == {("Округ А1", "ВПР", "Математика"), ("Округ А2", "ВПР", "Математика")}
    assert rows[("Округ А2", "ВПР", "Математика")]["results_participants"] == 5 + 30 + 7


def _grow(region, municipalities: int, schools: int):
    from assessment.models import Procedure, Result, Subject
    from assessment.services import analysis_run

    vpr, maths = Procedure.objects.get(code="ВПР"), Subject.objects.get(name="Математика")
    rows = []
    for m in range(municipalities):
        muni = MunicipalityFactory(region=region.region_a, name=f"Округ Н{m}")
        for s in range(schools):
            school = SchoolFactory(municipality=muni, code=f"N{m}S{s}")
            rows += [
                Result(
                    school=school,
                    year=region.year,
                    procedure=vpr,
                    subject=maths,
                    grade=5,
                    student_code=f"{m}-{s}-{n}",
                    score=5 + (n * 3 + s) % 15,
                    max_score=20,
                    mark=3,
                )
                for n in range(6)
            ]
    Result.objects.bulk_create(rows)
    analysis_run(years=[region.year], trigger="test")


def test_dashboard_queries_do_not_grow_with_the_region(region, login):
    c = login(region.regional)
    c.get(DASHBOARD, {"year": region.year})  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert c.get(DASHBOARD, {"year": region.year}).status_code == 200
    _grow(region, municipalities=4, schools=5)
    with CaptureQueriesContext(connection) as large:
        response = c.get(DASHBOARD, {"year": region.year})
    assert len(response.context["rows"]) == 6
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
    assert len(large) <= 40


def test_api_summary_queries_do_not_grow_with_the_region(region, api):
    client = api(region.regional)
    url = "/api/v1/assessment/municipality-summary/"
    client.get(url, {"year": region.year})
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"year": region.year})
    _grow(region, municipalities=4, schools=3)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url, {"year": region.year}).json()["count"] == 6
    assert len(large) == len(small)
