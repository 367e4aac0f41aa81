"""Every figure, flag and index of RESULTS.md against values computed by hand on the file in
conftest.hand_rows (rows without marks, σ = 0, a group under 5, a single school)."""

import math

import pytest
from pytest import approx

from assessment.models import Flag, FlagKind, GroupResult, ProgrammeEffect, RiskZoneCount, SchoolIndex, Spread

pytestmark = pytest.mark.django_db


def group(school, year, subject="Математика", grade=5, procedure="ВПР"):
    return GroupResult.objects.get(
        school=school, year=year, procedure__code=procedure, subject__name=subject, grade=grade
    )


def test_group_figures(analysed):
    w = analysed
    g = group(w.a1_school1, 2023)
    # scores 10, 12, 14, 16, 18, 14 of 20; marks 3, 3, 4, 4, 5 and one row without marks; term marks 4.
    assert g.participants == 6
    assert g.mean_score == approx((10 + 12 + 14 + 16 + 18 + 14) / 6)
    assert g.mean_percent == approx((50 + 60 + 70 + 80 + 90 + 70) / 6)
    assert g.with_mark == 5
    assert g.share_fail == approx(0)
    assert g.success_rate == approx(1)
    assert g.quality_rate == approx(3 / 5)
    assert (g.lowered, g.confirmed, g.raised) == (approx(2 / 5), approx(2 / 5), approx(1 / 5))

    g = group(w.a1_school2, 2023)
    assert g.mean_percent == approx(40) and g.mean_score == approx(8)
    assert (g.share_fail, g.success_rate, g.quality_rate) == (approx(0.4), approx(0.6), approx(0.2))
    assert (g.lowered, g.confirmed, g.raised) == (approx(0.4), approx(0.4), approx(0.2))

    g = group(w.a1_curator_school, 2023)  # four rows, no marks at all
    assert g.participants == 4 and g.mean_percent == approx(100)
    assert g.share_fail is None and g.success_rate is None and g.quality_rate is None and g.lowered is None

    assert group(w.a1_school2, 2022).mean_percent == approx(42)
    assert (
        GroupResult.objects.count() == 3 + 3 + 2 + 3 + 3
    )  # 2022: 3; 2023: Мат5 ×3, Рус5 ×2, A1S1 ОГЭ/РДР/Мат8, B1S1 ×3


def test_api_group_results_shares_as_fractions(analysed, api):
    data = (
        api(analysed.superuser)
        .get("/api/v1/assessment/group-results/", {"year": 2023, "school_code": "A1S2", "subject": "Математика"})
        .json()
    )
    assert data["count"] == 1
    row = data["results"][0]
    assert set(row) == {
        "school_code",
        "year",
        "procedure",
        "subject",
        "grade",
        "participants",
        "mean_score",
        "mean_percent",
        "share_fail",
        "success_rate",
        "quality_rate",
        "lowered",
        "confirmed",
        "raised",
    }
    assert row["school_code"] == "A1S2" and row["procedure"] == "ВПР" and row["grade"] == 5
    assert row["share_fail"] == approx(0.4) and row["mean_percent"] == approx(40)


def test_low_results_flag(analysed):
    w = analysed
    low = Flag.objects.filter(kind=FlagKind.LOW_RESULTS)
    # 2023 municipal mean over the rows: (420 + 200 + 400) / 15 = 68; A1S2 is 28 points below (and «2» = 0.4).
    f = low.get(school=w.a1_school2, year=2023)
    assert f.inputs["municipal_mean_percent"] == approx(68)
    assert f.inputs["gap"] == approx(28)
    assert f.inputs["share_fail"] == approx(0.4)
    assert f.thresholds == {"gap_points": 15.0, "share_fail": 0.25}
    assert "gap_points" in f.rule
    # 2022: (400 + 210 + 450) / 15 = 70.67; A1S2 28.67 below.
    assert low.get(school=w.a1_school2, year=2022).inputs["gap"] == approx(1060 / 15 - 42)
    # B1S1 grade 7: all «2» → share_fail 1.0 (its own municipal mean, gap 0).
    f = low.get(school=w.b1_school1, year=2023)
    assert f.grade == 7 and f.inputs["share_fail"] == approx(1.0) and f.inputs["gap"] == approx(0)
    assert low.count() == 3


def test_negative_dynamics_flags(analysed):
    w = analysed
    f = Flag.objects.get(kind=FlagKind.NEGATIVE_DYNAMICS)
    assert (f.school, f.year, f.grade) == (w.a1_school1, 2023, 5)
    assert f.inputs["previous_mean_percent"] == approx(80) and f.inputs["change"] == approx(-10)
    assert f.thresholds == {"drop_points": 5.0}
    t = Flag.objects.get(kind=FlagKind.TEACHER_DYNAMICS)
    assert (t.school, t.teacher_code, t.inputs["change"]) == (w.a1_school1, "T1", approx(-10))


def test_non_objectivity_flags(analysed):
    flags = Flag.objects.filter(kind=FlagKind.NON_OBJECTIVE).order_by("subject__name")
    # Математика 6: lowered 0.3, raised 0.4 → 0.7 (boundary); Русский язык 6: lowered 0.5 (boundary);
    # Русский язык 7: all lowered but only 9 rows with both marks → no flag.
    assert [(f.subject.name, f.grade) for f in flags] == [("Математика", 6), ("Русский язык", 6)]
    assert flags[0].inputs["raised_plus_lowered"] == approx(0.7)
    assert flags[1].inputs["lowered"] == approx(0.5)
    assert flags[0].thresholds == {"min_rows": 10, "lowered": 0.5, "raised_plus_lowered": 0.7}
    assert Flag.objects.count() == 7


def test_risk_zone(analysed):
    # ОГЭ 9: 10/31 and 12/31 below 40 %, 13/31 not; РДР repeats student N1; ВПР 8 does not count.
    rows = list(RiskZoneCount.objects.values_list("school__code", "year", "subject__name", "students"))
    assert rows == [("A1S1", 2023, "Математика", 2)]


def test_school_index_candidates_and_spread(analysed):
    w = analysed
    # 2022: one key with 80, 42, 90.
    values = [80, 42, 90]
    mu = sum(values) / 3
    sigma = math.sqrt(sum((v - mu) ** 2 for v in values) / 3)
    z = {code: (v - mu) / sigma for code, v in zip(["A1S1", "A1S2", "A1S3"], values, strict=True)}
    idx = {i.school.code: i for i in SchoolIndex.objects.filter(year=2022).select_related("school")}
    assert {c: i.value for c, i in idx.items()} == {c: approx(v) for c, v in z.items()}
    ordered = sorted(z.values())
    p10 = ordered[0] + 0.2 * (ordered[1] - ordered[0])  # position 0.1 × (3 − 1) = 0.2
    p90 = ordered[1] + 0.8 * (ordered[2] - ordered[1])  # position 1.8
    assert idx["A1S2"].candidate and idx["A1S2"].below_p10 and idx["A1S2"].below_limit
    assert not idx["A1S1"].candidate and not idx["A1S3"].candidate
    s = Spread.objects.get(municipality=w.a1, year=2022)
    assert (s.p10, s.p90, s.spread, s.schools) == (approx(p10), approx(p90), approx(p90 - p10), 3)

    # 2023: only ВПР Математика 5 counts (Русский язык has σ = 0; A1S3 has 4 participants; ОГЭ one school).
    idx = {i.school.code: i for i in SchoolIndex.objects.filter(year=2023).select_related("school")}
    assert set(idx) == {"A1S1", "A1S2"}
    assert idx["A1S1"].value == approx(1) and idx["A1S2"].value == approx(-1)
    assert idx["A1S1"].n_keys == 1
    assert idx["A1S2"].candidate and idx["A1S2"].below_p10 and not idx["A1S2"].below_limit  # −1 is not below −1
    assert not idx["A1S1"].candidate
    s = Spread.objects.get(municipality=w.a1, year=2023)
    assert (s.p10, s.p90, s.spread) == (approx(-0.8), approx(0.8), approx(1.6))
    # A single school (B1S1) and a municipality with one school (A2) get no index and no spread.
    assert not SchoolIndex.objects.filter(school__in=[w.b1_school1, w.a2_school1]).exists()
    assert not Spread.objects.filter(municipality__in=[w.b1, w.a2]).exists()


def test_programme_effectiveness(analysed):
    w = analysed
    e = ProgrammeEffect.objects.get(municipality=w.a1, year=2023)
    # participants A1S1 (from 2023) and A1S2 (2022–2023); both indices rose; A1S2 left by 2024.
    assert (e.participants, e.rose, e.left_status) == (2, 2, 1)
    assert (e.share_rose, e.share_left) == (approx(1.0), approx(0.5))
    e = ProgrammeEffect.objects.get(municipality=w.a1, year=2022)
    assert (e.participants, e.rose, e.left_status) == (1, 0, 0)


def test_api_indices_and_spread(analysed, api):
    client = api(analysed.coordinator)
    data = client.get("/api/v1/assessment/school-indices/", {"year": 2023}).json()["results"]
    assert {(r["school_code"], r["candidate"]) for r in data} == {("A1S1", False), ("A1S2", True)}
    assert set(data[0]) == {"school_code", "year", "index", "candidate"}
    data = client.get("/api/v1/assessment/spread/", {"year": 2023}).json()["results"]
    assert data == [
        {"municipality": "Округ А1", "year": 2023, "p10": approx(-0.8), "p90": approx(0.8), "spread": approx(1.6)}
    ]
    flags = client.get("/api/v1/assessment/flags/", {"year": 2023}).json()["results"]
    assert {f["kind"] for f in flags} == {"low_results", "negative_dynamics"}
    # A teacher's dynamics is a list of its own (RESULTS.md), not among the school's flags.
    teachers = client.get("/api/v1/assessment/teacher-dynamics/", {"year": 2023}).json()["results"]
    assert [(t["kind"], t["teacher_code"], t["grade"]) for t in teachers] == [("teacher_dynamics", "T1", None)]
