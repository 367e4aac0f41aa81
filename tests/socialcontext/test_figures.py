"""Every figure of CONTEXT.md §2–§4 against values computed independently: by hand where the
numbers are small (the z of a three-school municipality, the category order, the suggestion
order and its cut at 3), and by tests/socialcontext/reference.py (plain Python loops) on a
larger random data set of two municipalities and two years."""

import math
import random

import pytest
from pytest import approx

from socialcontext.models import ContextFit, PartnerSuggestion, SchoolContextFigure
from tests.socialcontext import reference
from tests.socialcontext.conftest import linear_row

pytestmark = pytest.mark.django_db

Y = 2023


def run(years=None):
    from socialcontext.services import context_analysis_run

    return context_analysis_run(years=years, trigger="test")


def fig(school, year=Y):
    return SchoolContextFigure.objects.get(school=school, year=year)


# --- §2 by hand ----------------------------------------------------------------------------------


def test_context_index_by_hand(world, schools_in, add_context):
    """Three schools: «Русский язык не родной» is known at two schools, equal (σ = 0), «С ОВЗ»
    equal at all three (σ = 0): both are left out, so each school has three z."""
    s1, s2, s3 = schools_in(world.a2, 3, "Z")
    add_context(s1, Y, higher_education=60, single_parent=10, on_register=0, non_native=0, special_needs=2)
    add_context(s2, Y, higher_education=30, single_parent=20, on_register=3, non_native=0, special_needs=2)
    add_context(s3, Y, higher_education=30, single_parent=30, on_register=3, special_needs=2)
    run()
    # he: mean 40, σ = √200;  sp: mean 20, σ = √(200/3), sign −;  reg: mean 2, σ = √2, sign −.
    he = [20 / math.sqrt(200), -10 / math.sqrt(200), -10 / math.sqrt(200)]
    sp = [10 / math.sqrt(200 / 3), 0.0, -10 / math.sqrt(200 / 3)]
    reg = [2 / math.sqrt(2), -1 / math.sqrt(2), -1 / math.sqrt(2)]
    for i, school in enumerate((s1, s2, s3)):
        f = fig(school)
        assert f.indicators == 3
        assert f.context_index == approx((he[i] + sp[i] + reg[i]) / 3, abs=1e-12)
        assert f.school_index is None and f.residual is None and f.category == "" and not f.anomaly
    assert fig(s2).context_index == approx(-math.sqrt(2) / 3, abs=1e-12)


def test_context_index_needs_three_indicators_known_at_two_schools(world, schools_in, add_context):
    s1, s2, s3 = schools_in(world.a2, 3, "Z")
    add_context(s1, Y, higher_education=60, single_parent=10, on_register=1, special_needs=5)
    add_context(s2, Y, higher_education=30, single_parent=20, on_register=2)
    add_context(s3, Y, higher_education=45, non_native=7)  # two indicators; «non_native» known at one school
    run()
    assert fig(s1).indicators == 3  # special_needs is known at one school only: no z
    assert fig(s2).indicators == 3
    assert not SchoolContextFigure.objects.filter(school=s3).exists()
    # he: 60, 30, 45 → mean 45, σ = √150; sp: 10, 20 → mean 15, σ 5; reg: 1, 2 → mean 1.5, σ 0.5.
    assert fig(s1).context_index == approx((15 / math.sqrt(150) + 1 + 1) / 3, abs=1e-12)
    assert fig(s2).context_index == approx((-15 / math.sqrt(150) - 1 - 1) / 3, abs=1e-12)


# --- §3 by hand ------------------------------------------------------------------------------------

# v = 10 … 100 → context index = (v − 55) / √825 (the standardised v); the school indices below.
V = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
UP = [-0.71, 0.41, -0.44, -0.26, 0.03, 0.5, -0.16, 0.28, 0.44, 0.68]  # rising; K02 resilient, far above
DOWN = [0.19, 0.85, 0.46, 0.24, 0.09, -0.22, -0.26, -0.66, -0.88, -0.8]  # falling; K01 resilient *and* below
N = len(V)


@pytest.fixture
def eight(world, schools_in, add_context, add_index, add_flag):
    schools = schools_in(world.a2, N, "K")
    for year, ys in ((Y, UP), (Y - 1, DOWN)):
        for school, v, y in zip(schools, V, ys, strict=True):
            add_context(school, year, **linear_row(v))
            add_index(school, year, y)
    add_flag(schools[5], Y)  # K6: above its expected index, with a sign of non-objectivity
    add_flag(schools[6], Y)  # K7: below: a flag alone makes no anomaly
    run()
    return schools


def test_fit_by_hand(eight):
    x = [(v - 55) / math.sqrt(825) for v in V]
    for year, ys in ((Y, UP), (Y - 1, DOWN)):
        b = sum(xi * yi for xi, yi in zip(x, ys, strict=True)) / N  # Σx = 0, Σx² = n for a standardised x
        a = sum(ys) / N
        res = [yi - (a + b * xi) for xi, yi in zip(x, ys, strict=True)]
        sigma = math.sqrt(sum(r * r for r in res) / N)  # the residuals' mean is 0
        syy = sum((yi - a) ** 2 for yi in ys)
        f = ContextFit.objects.get(municipality=eight[0].municipality, year=year)
        assert f.schools == N
        assert (f.slope, f.intercept) == (approx(b, abs=1e-12), approx(a, abs=1e-12))
        assert f.sigma_residual == approx(sigma, abs=1e-12)
        assert f.r2 == approx(b * b * N / syy, abs=1e-12)
        # P25 of x: position 0.25 · 9 = 2.25 → x₃ + 0.25 (x₄ − x₃); P50 of y: the mean of the 5th and 6th.
        assert f.p25_context == approx(x[2] + 0.25 * (x[3] - x[2]), abs=1e-12)
        ordered = sorted(ys)
        assert f.p50_index == approx((ordered[4] + ordered[5]) / 2, abs=1e-12)
        for school, xi, yi, ri in zip(eight, x, ys, res, strict=True):
            g = fig(school, year)
            assert (g.context_index, g.school_index) == (approx(xi, abs=1e-12), approx(yi))
            assert g.expected == approx(a + b * xi, abs=1e-12) and g.residual == approx(ri, abs=1e-12)


def test_categories_in_their_order_and_anomalies(eight):
    k = {s.code: s for s in eight}
    up = {code: fig(s, Y) for code, s in k.items()}
    sigma = ContextFit.objects.get(municipality=eight[0].municipality, year=Y).sigma_residual
    # K02: hard context (x ≤ P25) and index ≥ P50 → resilient; its residual ≥ 2σ → anomaly by residual.
    assert up["K02"].category == "resilient" and up["K02"].residual >= 2 * sigma
    assert up["K02"].anomaly and up["K02"].anomaly_residual and up["K02"].anomaly_flags == 0
    assert up["K01"].category == "below"  # hard context but a low index: not resilient
    # K7 lies far below the line: below; its flag does not make it an anomaly (below is no anomaly).
    assert up["K07"].category == "below" and not up["K07"].anomaly and up["K07"].anomaly_flags == 0
    # K6: above by ≥ σ but < 2σ, with a non-objectivity flag → anomaly by the flag only.
    assert sigma <= up["K06"].residual < 2 * sigma
    assert up["K06"].category == "above" and up["K06"].anomaly and not up["K06"].anomaly_residual
    assert up["K06"].anomaly_flags == 1
    assert {f.category for f in up.values()} == {"resilient", "below", "above", "expected"}
    # The category order: in the falling year K1 is resilient although its residual is ≤ −σ.
    down = fig(k["K01"], Y - 1)
    fit = ContextFit.objects.get(municipality=eight[0].municipality, year=Y - 1)
    assert down.residual <= -fit.sigma_residual
    assert down.category == "resilient" and not down.anomaly


# --- §3 and §4 against the reference on random data ----------------------------------------------


def _random_world(world, schools_in, add_context, add_index, add_flag, low_status):
    rnd = random.Random(17)
    data = {}  # (municipality id, year) → dict of inputs
    groups = [(world.a1, schools_in(world.a1, 14, "RA")), (world.b1, schools_in(world.b1, 11, "RB"))]
    for muni, schools in groups:
        for year in (2022, 2023):
            rows, idx, low, flags = {}, {}, set(), {}
            for school in schools:
                base = rnd.gauss(0, 1)
                values = {
                    "higher_education": min(100, max(0, 35 + 12 * base + rnd.gauss(0, 4))),
                    "single_parent": min(100, max(0, 20 - 5 * base + rnd.gauss(0, 3))),
                    "on_register": min(100, max(0, 3 - base + rnd.gauss(0, 1))),
                    "non_native": min(100, max(0, 4 - 2 * base + rnd.gauss(0, 2))),
                    "special_needs": min(100, max(0, 5 + rnd.gauss(0, 2))),
                }
                for name in list(values):
                    if rnd.random() < 0.15:
                        values[name] = None
                add_context(school, year, **values)
                rows[school.code] = values
                if rnd.random() < 0.9:
                    candidate = rnd.random() < 0.15
                    value = round(0.5 * base + rnd.gauss(0, 0.6), 6)
                    add_index(school, year, value, candidate=candidate)
                    idx[school.code] = value
                    if candidate:
                        low.add(school.code)
                if rnd.random() < 0.2:
                    add_flag(school, year)
                    flags[school.code] = 1
            data[(muni.pk, year)] = {"rows": rows, "idx": idx, "low": low, "flags": flags}
    # ШНОР statuses: RA03 in 2022–2023, RB02 from 2023 (held in 2023 only of the two years).
    low_status(next(s for s in groups[0][1] if s.code == "RA03"), 2022, 2023)
    low_status(next(s for s in groups[1][1] if s.code == "RB02"), 2023)
    data[(world.a1.pk, 2022)]["low"].add("RA03")
    data[(world.a1.pk, 2023)]["low"].add("RA03")
    data[(world.b1.pk, 2023)]["low"].add("RB02")
    return data


def test_every_figure_against_the_reference(world, schools_in, add_context, add_index, add_flag, low_status):
    data = _random_world(world, schools_in, add_context, add_index, add_flag, low_status)
    counts = run()
    assert counts["context_fits"] == 4
    checked_suggestions = 0
    for (muni_id, year), d in data.items():
        ctx = reference.context_indices(d["rows"])
        stored = {
            f.school.code: f
            for f in SchoolContextFigure.objects.filter(municipality_id=muni_id, year=year).select_related("school")
        }
        assert set(stored) == set(ctx)
        for code, (value, n) in ctx.items():
            assert stored[code].context_index == approx(value, abs=1e-9)
            assert stored[code].indicators == n
            assert stored[code].school_index == (approx(d["idx"][code]) if code in d["idx"] else None)
        x = {code: v for code, (v, _n) in ctx.items()}
        ref_fit, per_school = reference.fit(x, d["idx"], d["flags"])
        fit = ContextFit.objects.get(municipality_id=muni_id, year=year)
        assert fit.schools == ref_fit["n"]
        assert fit.intercept == approx(ref_fit["a"], abs=1e-9) and fit.slope == approx(ref_fit["b"], abs=1e-9)
        assert fit.r2 == approx(ref_fit["r2"], abs=1e-9)
        assert fit.sigma_residual == approx(ref_fit["sigma"], abs=1e-9)
        assert fit.p25_context == approx(ref_fit["p25"], abs=1e-9)
        assert fit.p50_index == approx(ref_fit["p50"], abs=1e-9)
        for code, f in stored.items():
            if code not in per_school:
                assert (f.expected, f.residual, f.category, f.anomaly) == (None, None, "", False)
                continue
            want = per_school[code]
            assert f.expected == approx(want["expected"], abs=1e-9)
            assert f.residual == approx(want["residual"], abs=1e-9)
            assert (f.category, f.anomaly) == (want["category"], want["anomaly"]), code
        ref_sugg = reference.suggestions(x, d["idx"], d["low"])
        got = {}
        for s in PartnerSuggestion.objects.filter(municipality_id=muni_id, year=year).select_related(
            "school", "partner"
        ):
            got.setdefault(s.school.code, []).append((s.rank, s.partner.code, s.context_gap, s.index_gap))
        assert set(got) == set(ref_sugg)
        for code, partners in ref_sugg.items():
            mine = sorted(got[code])
            assert [p[1] for p in mine] == [p[0] for p in partners]
            assert [p[0] for p in mine] == list(range(1, len(partners) + 1))
            for (_rank, _code, cg, ig), (_p, rcg, rig) in zip(mine, partners, strict=True):
                assert (cg, ig) == (approx(rcg, abs=1e-9), approx(rig, abs=1e-9))
            checked_suggestions += len(partners)
    assert checked_suggestions >= 6  # the data set does exercise §4


# --- §3: fewer than 8 schools ---------------------------------------------------------------------


def test_fewer_than_eight_schools_compute_no_fit(world, schools_in, add_context, add_index):
    schools = schools_in(world.a2, 8, "F")
    for i, school in enumerate(schools):
        add_context(school, Y, **linear_row(10 * i))
        if i < 7:  # the eighth school has no index: 7 with both
            add_index(school, Y, 0.1 * i * (-1) ** i)
    run()
    assert not ContextFit.objects.filter(year=Y).exists()
    figs = SchoolContextFigure.objects.filter(year=Y)
    assert figs.count() == 8
    assert all(f.expected is None and f.residual is None and f.category == "" and not f.anomaly for f in figs)
    assert figs.filter(school_index__isnull=False).count() == 7


# --- §4 by hand ---------------------------------------------------------------------------------------


def test_suggestions_order_and_cut_at_three(world, schools_in, add_context, add_index, low_status):
    """L is a candidate at v = 50; the partners' context gaps are (v − 50) / σ with σ the
    population σ of v.  Among those within 0.5 and at least 0.5 higher in index: by index gap
    (descending), then |context gap|, then code; three kept."""
    schools = schools_in(world.a2, 10, "P")
    by = {s.code: s for s in schools}
    plan = {  # code: (v, index)
        "P01": (50, -1.0),  # L: the candidate
        "P02": (52, 0.2),  # gap +1.2, close context
        "P03": (48, 0.2),  # gap +1.2, same |context gap| as P02: after it by code
        "P04": (50, 0.2),  # gap +1.2, context gap 0: first
        "P05": (51, 0.4),  # gap +1.4: before all of them
        "P06": (50, -0.6),  # gap +0.4 < 0.5: not a partner
        "P07": (90, 1.0),  # too far in context
        "P08": (10, 1.0),  # too far in context
        "P09": (49, 0.9),  # ШНОР itself: never a partner
        "P10": (70, 0.0),
    }
    for code, (v, index) in plan.items():
        add_context(by[code], Y, **linear_row(v))
        add_index(by[code], Y, index, candidate=code == "P01")
    low_status(by["P09"], Y)
    run()
    got = list(PartnerSuggestion.objects.filter(school=by["P01"], year=Y).order_by("rank"))
    assert [(s.rank, s.partner.code) for s in got] == [(1, "P05"), (2, "P04"), (3, "P02")]
    vs = [v for v, _i in plan.values()]
    mean = sum(vs) / len(vs)
    sigma = math.sqrt(sum((v - mean) ** 2 for v in vs) / len(vs))
    assert got[0].index_gap == approx(1.4) and got[0].context_gap == approx(1 / sigma, abs=1e-9)
    assert got[1].index_gap == approx(1.2) and got[1].context_gap == approx(0, abs=1e-9)
    assert got[2].context_gap == approx(2 / sigma, abs=1e-9)
    # P09 (ШНОР, index 0.9) gets its own suggestions: schools ≥ 0.5 above it within 0.5 in context.
    assert not PartnerSuggestion.objects.filter(partner=by["P09"]).exists()
    assert all(abs(s.context_gap) <= 0.5 for s in PartnerSuggestion.objects.all())


# --- runs ---------------------------------------------------------------------------------------------


def test_a_run_replaces_only_its_years_and_twice_stores_the_same(eight):
    before = sorted(
        SchoolContextFigure.objects.values_list("school_id", "year", "context_index", "residual", "category")
    )
    run([Y])
    run([Y])
    after = sorted(
        SchoolContextFigure.objects.values_list("school_id", "year", "context_index", "residual", "category")
    )
    # The same figures; the floats up to their last bits (PostgreSQL sums doubles in the order it
    # scans, and a re-run writes the rows anew: -0.3209090909090908 once, …087 the next time).
    assert [(s, y, c) for s, y, _x, _r, c in after] == [(s, y, c) for s, y, _x, _r, c in before]
    for now, then in zip(after, before, strict=True):
        for a, b in zip(now[2:4], then[2:4], strict=True):
            assert a == b or (None not in (a, b) and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)), (now, then)
    assert SchoolContextFigure.objects.filter(year=Y - 1).count() == N


def test_rows_gone_figures_gone(eight):
    from socialcontext.models import SchoolContext

    SchoolContext.objects.filter(year=Y).delete()
    run()
    assert not SchoolContextFigure.objects.filter(year=Y).exists()
    assert not ContextFit.objects.filter(year=Y).exists()
    assert SchoolContextFigure.objects.filter(year=Y - 1).count() == N
