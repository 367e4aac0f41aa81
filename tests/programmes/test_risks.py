"""Risk profiles: the school fills, its curator confirms; scale enforced; heat-map; API; history."""

import pytest
from django.core.exceptions import ValidationError

from core.years import current_academic_year
from schools import services
from schools.models import RiskAssessment, RiskFactor, RiskLevel


@pytest.fixture
def factors(db):
    return list(RiskFactor.objects.filter(is_active=True))


def _levels_post(factors, level="high", **override):
    data = {f"factor_{f.pk}": level for f in factors}
    data.update(override)
    return data


def test_catalogue_has_ten_factors(factors):
    assert len(factors) == 10


def test_school_admin_fills_profile(world, factors, login):
    c = login(world.school_admin)
    year = current_academic_year()
    url = f"/schools/{world.a1_school1.pk}/risks/?year={year}"
    assert c.get(url).status_code == 200
    response = c.post(url, {**_levels_post(factors, "medium"), "year": year})
    assert response.status_code == 302
    assert RiskAssessment.objects.filter(school=world.a1_school1, year=year, level="medium").count() == 10
    assert RiskAssessment.objects.filter(filled_by=world.school_admin).count() == 10


def test_level_outside_scale_refused(world, factors, login):
    c = login(world.school_admin)
    year = current_academic_year()
    url = f"/schools/{world.a1_school1.pk}/risks/?year={year}"
    c.post(url, {**_levels_post(factors, "low"), "year": year})
    before = list(RiskAssessment.objects.values_list("id", "level"))
    response = c.post(url, {**_levels_post(factors, "high", **{f"factor_{factors[0].pk}": "extreme"}), "year": year})
    assert response.status_code == 200
    assert "не уровень риска" in response.content.decode()
    assert list(RiskAssessment.objects.values_list("id", "level")) == before


def test_service_refuses_level_outside_scale(world, factors):
    with pytest.raises(ValidationError) as exc:
        services.risk_profile_save(
            school=world.a1_school1,
            year=2024,
            levels={factors[0].pk: "high", factors[1].pk: "5"},
            user=world.school_admin,
        )
    assert "не уровень риска" in str(exc.value)
    assert not RiskAssessment.objects.exists()


def test_year_out_of_range_refused(world, factors):
    with pytest.raises(ValidationError) as exc:
        services.risk_profile_save(
            school=world.a1_school1, year=1999, levels={factors[0].pk: "high"}, user=world.school_admin
        )
    assert "Учебный год должен быть" in str(exc.value)


def test_curator_confirms_and_change_drops_confirmation(world, factors, login):
    year = current_academic_year()
    services.risk_profile_save(
        school=world.a1_school1, year=year, levels={f.pk: "low" for f in factors}, user=world.school_admin
    )
    # Another school's administrator cannot confirm nor see it.
    assert login(world.school_admin2).get(f"/schools/{world.a1_school1.pk}/risks/").status_code == 404
    with pytest.raises(ValidationError) as exc:
        services.risk_profile_confirm(school=world.a1_school1, year=year, user=world.school_admin)
    assert "только куратор" in str(exc.value)
    response = login(world.curator).post(
        f"/schools/{world.a1_school1.pk}/risks/?year={year}", {"confirm": "1", "year": year}
    )
    assert response.status_code == 302
    assert RiskAssessment.objects.filter(confirmed_by=world.curator).count() == 10
    services.risk_profile_save(
        school=world.a1_school1, year=year, levels={factors[0].pk: "high"}, user=world.school_admin
    )
    changed = RiskAssessment.objects.get(school=world.a1_school1, year=year, factor=factors[0])
    assert changed.confirmed_at is None and changed.level == "high"
    # History keeps low → high.
    levels = list(changed.history.order_by("history_date").values_list("level", flat=True))
    assert levels[0] == "low" and levels[-1] == "high"


def test_curator_cannot_fill(world, factors, login):
    year = current_academic_year()
    response = login(world.curator).post(f"/schools/{world.a1_school1.pk}/risks/?year={year}", _levels_post(factors))
    assert response.status_code == 404
    assert not RiskAssessment.objects.exists()


def test_heatmap_and_counts(world, factors, login, django_assert_max_num_queries):
    year = current_academic_year()
    services.risk_profile_save(
        school=world.a1_school1, year=year, levels={f.pk: "high" for f in factors}, user=world.coordinator
    )
    services.risk_profile_save(
        school=world.a1_school2, year=year, levels={f.pk: "medium" for f in factors[:5]}, user=world.coordinator
    )
    services.risk_profile_save(
        school=world.b1_school1, year=year, levels={f.pk: "high" for f in factors}, user=world.superuser
    )
    c = login(world.coordinator)
    with django_assert_max_num_queries(15):
        response = c.get(f"/schools/risks/heatmap/?municipality={world.a1.pk}&year={year}")
    heat = response.context["heat"]
    assert [r["school"] for r in heat["rows"]] == [world.a1_school1, world.a1_school2]
    first = heat["counts"][0]["counts"]
    assert dict(zip(RiskLevel.values, first, strict=True)) == {"high": 1, "medium": 1, "low": 0, "none": 0}
    html = response.content.decode()
    assert "heat-high" in html and "heat-medium" in html
    # The curator sees only the assigned school.
    heat = login(world.curator).get(f"/schools/risks/heatmap/?year={year}").context["heat"]
    assert [r["school"] for r in heat["rows"]] == [world.a1_school1]


def test_risk_api_scoping_and_writes(world, factors, api):
    year = current_academic_year()
    services.risk_profile_save(
        school=world.a1_school1, year=year, levels={f.pk: "low" for f in factors}, user=world.coordinator
    )
    services.risk_profile_save(
        school=world.a1_school2, year=year, levels={f.pk: "low" for f in factors}, user=world.coordinator
    )
    assert api(world.school_admin).get("/api/v1/risk-assessments/").json()["count"] == 10
    assert api(world.coordinator).get("/api/v1/risk-assessments/").json()["count"] == 20
    assert api(world.outsider).get("/api/v1/risk-assessments/").json()["count"] == 0
    r = api(world.school_admin).post(
        "/api/v1/risk-assessments/",
        {"school": world.a1_school1.pk, "year": year, "factor": factors[0].pk, "level": "high"},
    )
    assert r.status_code == 201, r.content
    assert RiskAssessment.objects.get(school=world.a1_school1, year=year, factor=factors[0]).level == "high"
    r = api(world.school_admin).post(
        "/api/v1/risk-assessments/",
        {"school": world.a1_school1.pk, "year": year, "factor": factors[1].pk, "level": "huge"},
    )
    assert r.status_code == 400
    other = RiskAssessment.objects.filter(school=world.a1_school2).first()
    assert api(world.school_admin).patch(f"/api/v1/risk-assessments/{other.pk}/", {"level": "high"}).status_code == 404
    assert (
        api(world.curator)
        .patch(
            f"/api/v1/risk-assessments/{RiskAssessment.objects.filter(school=world.a1_school1).first().pk}/",
            {"level": "high"},
        )
        .status_code
        == 403
    )
