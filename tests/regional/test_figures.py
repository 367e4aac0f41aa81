"""The figures of the regional comparison: each asserted against an independent count from
the data (or against the municipal page's own selector, so the readers agree)."""

import statistics

import pytest

from regional import selectors

pytestmark = pytest.mark.django_db


def summary(w, year=None):
    rows = selectors.municipality_summary([w.a1, w.a2], year or w.year, region=w.region_a)
    return {(r.municipality.name if r.municipality else "total"): r.values for r in rows}


def row_percents(codes, offset=0):
    from tests.regional.conftest import SCORES

    return [100 * s / 20 for c in codes for s in SCORES[c][offset]]


def test_low_results_count_and_movement_equal_the_municipal_selector(region):
    from schools.models import StatusKind
    from schools.selectors import status_movement

    s = summary(region)
    y = region.year
    for muni, name in ((region.a1, "Округ А1"), (region.a2, "Округ А2")):
        municipal = {r["year"]: r for r in status_movement(muni, StatusKind.LOW_RESULTS, [y - 1, y])}
        for year in (y - 1, y):
            assert s[name][year]["low_results"] == municipal[year]["total"]
            assert s[name][year]["low_results_entered"] == municipal[year]["entered"]
            assert s[name][year]["low_results_left"] == municipal[year]["left"]
    assert (s["Округ А1"][y]["low_results"], s["Округ А2"][y]["low_results"]) == (2, 0)
    assert s["Округ А2"][y]["low_results_left"] == 1
    assert (s["total"][y]["low_results"], s["total"][y]["low_results_entered"], s["total"][y]["low_results_left"]) == (
        2,
        1,
        1,
    )


def test_results_are_pooled_from_the_rows_never_averaged(region):
    s = summary(region)
    y = region.year
    a1, a2 = row_percents(["A1S1", "A1S2", "A1S3"]), row_percents(["A2S1", "A2S2", "A2S3"])
    assert s["Округ А1"][y]["results_participants"] == len(a1) == 22
    assert s["Округ А1"][y]["results_mean_percent"] == pytest.approx(statistics.mean(a1))
    assert s["Округ А2"][y]["results_mean_percent"] == pytest.approx(statistics.mean(a2))
    assert s["total"][y]["results_mean_percent"] == pytest.approx(statistics.mean(a1 + a2))
    averaged = statistics.mean([statistics.mean(a1), statistics.mean(a2)])
    assert abs(s["total"][y]["results_mean_percent"] - averaged) > 1, "the region's figure is not an average"
    # The year before, from its own rows.
    assert s["Округ А2"][y - 1]["results_mean_percent"] == pytest.approx(
        statistics.mean(row_percents(["A2S1", "A2S2", "A2S3"], -1))
    )
    from tests.regional.conftest import SCORES, mark

    fails = sum(1 for c in ("A2S1", "A2S2", "A2S3") for v in SCORES[c][0] if mark(v) == 2)
    assert s["Округ А2"][y]["results_share_fail"] == pytest.approx(fails / len(a2))


def test_index_figures_come_from_the_stored_analysis(region):
    from assessment.models import ProgrammeEffect, SchoolIndex, Spread

    s = summary(region)
    y = region.year
    assert (
        s["Округ А1"][y]["candidates"]
        == SchoolIndex.objects.filter(municipality=region.a1, year=y, candidate=True).count()
    )
    assert s["Округ А1"][y]["spread"] == pytest.approx(Spread.objects.get(municipality=region.a1, year=y).spread)
    effect = ProgrammeEffect.objects.filter(municipality=region.a1, year=y).first()
    if effect:
        assert s["Округ А1"][y]["effect_share_rose"] == pytest.approx(effect.share_rose)


def test_support_figures(region):
    s = summary(region)
    y = region.year
    a1 = s["Округ А1"][y]
    assert a1["low_results_with_curator"] == 1 and a1["curator_coverage"] == pytest.approx(0.5)
    assert a1["visits"] == 2, "two visits dated within the year; the one before it counts for the year before"
    assert a1["visits_per_low_school"] == pytest.approx(1.0)
    assert a1["overdue_recommendations"] == 1
    assert s["Округ А1"][y - 1]["visits"] == 1
    assert s["Округ А2"][y]["overdue_recommendations"] == 0


def test_overdue_today_equals_the_curators_figure(region):
    from curators.selectors import overdue_recommendations

    current = region.year + 1
    s = summary(region, current)
    assert s["Округ А1"][current]["overdue_recommendations"] == overdue_recommendations(region.coordinator).count() == 1


def test_events_and_participation(region):
    s = summary(region)
    y = region.year
    assert s["Округ А1"][y]["events_held"] == 1 and s["Округ А2"][y]["events_held"] == 0
    assert s["total"][y]["events_held"] == 2, "the region's own event counts in the region's total"
    assert s["Округ А1"][y]["participants"] == 2 + 2  # the municipal seminar (2 of 3) and the regional (2 of 2)
    assert s["Округ А2"][y]["participants"] == 3
    assert s["Округ А1"][y]["low_results_taking_part"] == 2
    assert s["Округ А1"][y]["low_results_participation"] == pytest.approx(1.0)


def test_regional_index_is_the_municipal_definition_over_the_region(region):
    """z of each school's group among all schools of the region with that group; A and B apart."""
    from regional.models import RegionalSchoolIndex, RegionalSpread
    from tests.regional.conftest import SCORES

    y = region.year
    codes = ["A1S1", "A1S2", "A1S3", "A2S1", "A2S2", "A2S3"]
    means = {c: statistics.mean(100 * v / 20 for v in SCORES[c][0]) for c in codes}
    mu, sigma = statistics.mean(means.values()), statistics.pstdev(means.values())
    stored = {i.school.code: i for i in RegionalSchoolIndex.objects.filter(year=y).select_related("school")}
    assert set(stored) == set(codes)
    for c in codes:
        assert stored[c].value == pytest.approx((means[c] - mu) / sigma)
        assert stored[c].region_id == region.region_a.pk
    assert "B1S1" not in stored, "a region with one school compares with nobody"
    values = sorted((means[c] - mu) / sigma for c in codes)
    p10 = values[0] + 0.5 * (values[1] - values[0])  # 0.1 × (6 − 1) = 0.5
    p90 = values[4] + 0.5 * (values[5] - values[4])
    spread = RegionalSpread.objects.get(region=region.region_a, year=y)
    assert (spread.schools, spread.p10, spread.spread) == (6, pytest.approx(p10), pytest.approx(p90 - p10))
    assert {c for c in codes if stored[c].candidate} == {
        c for c in codes if (means[c] - mu) / sigma <= p10 + 1e-9 or (means[c] - mu) / sigma < -1
    }
