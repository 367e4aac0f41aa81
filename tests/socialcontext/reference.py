"""CONTEXT.md §2–§4 written out in plain Python, independently of socialcontext.analysis, to
check the stored figures against: lists and loops, the definitions as the text gives them.

Inputs are plain data; the thresholds are the contract's defaults."""

from __future__ import annotations

import math

SIGNS = {"higher_education": 1, "single_parent": -1, "on_register": -1, "non_native": -1, "special_needs": -1}
EPS = 1e-9


def pstdev(values):
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def percentile(values, p):
    """Linear interpolation between closest ranks: position p·(n − 1) in the sorted values."""
    v = sorted(values)
    pos = p * (len(v) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (pos - lo) * (v[hi] - v[lo])


def context_indices(rows: dict[str, dict]) -> dict[str, tuple[float, int]]:
    """rows: school → {indicator: value or None} (one municipality, one year).
    Returns school → (context index, number of z used) for schools with ≥ 3 z."""
    z: dict[str, list[float]] = {s: [] for s in rows}
    for name, sign in SIGNS.items():
        have = {s: r[name] for s, r in rows.items() if r.get(name) is not None}
        if len(have) < 2:
            continue
        mean = sum(have.values()) / len(have)
        sigma = pstdev(list(have.values()))
        if sigma <= EPS:
            continue
        for s, v in have.items():
            z[s].append(sign * (v - mean) / sigma)
    return {s: (sum(zs) / len(zs), len(zs)) for s, zs in z.items() if len(zs) >= 3}


def fit(ctx: dict[str, float], idx: dict[str, float], flags: dict[str, int] | None = None):
    """One municipality-year: ctx and idx are school → value.  Returns (fit, per-school) or
    (None, {}) with fewer than 8 schools having both."""
    flags = flags or {}
    both = sorted(s for s in ctx if s in idx)
    if len(both) < 8:
        return None, {}
    xs = [ctx[s] for s in both]
    ys = [idx[s] for s in both]
    n = len(both)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    syy = sum((y - my) ** 2 for y in ys)
    b = sxy / sxx
    a = my - b * mx
    residuals = {s: idx[s] - (a + b * ctx[s]) for s in both}
    sigma = pstdev(list(residuals.values()))
    # r² = 1 − SS_res / SS_tot
    r2 = 1 - sum(r * r for r in residuals.values()) / syy
    p25 = percentile(xs, 0.25)
    p50 = percentile(ys, 0.50)
    out = {}
    for s in both:
        r = residuals[s]
        if ctx[s] <= p25 and idx[s] >= p50:
            category = "resilient"
        elif r <= -sigma:
            category = "below"
        elif r >= sigma:
            category = "above"
        else:
            category = "expected"
        anomaly = category in ("resilient", "above") and (r >= 2 * sigma or flags.get(s, 0) > 0)
        out[s] = {"expected": a + b * ctx[s], "residual": r, "category": category, "anomaly": anomaly}
    return {"n": n, "a": a, "b": b, "r2": r2, "sigma": sigma, "p25": p25, "p50": p50}, out


def suggestions(ctx: dict[str, float], idx: dict[str, float], low: set[str]) -> dict[str, list[tuple]]:
    """School (ШНОР or candidate) → [(partner, context gap, index gap)], at most 3, in §4's order."""
    both = [s for s in ctx if s in idx]
    result = {}
    for s in both:
        if s not in low:
            continue
        found = []
        for p in both:
            if p in low:
                continue
            cg, ig = ctx[p] - ctx[s], idx[p] - idx[s]
            if abs(cg) <= 0.5 and ig >= 0.5:
                found.append((p, cg, ig))
        found.sort(key=lambda t: (-round(t[2] * 1e9), round(abs(t[1]) * 1e9), t[0]))  # equal to 9 decimals: a tie
        if found:
            result[s] = found[:3]
    return result
