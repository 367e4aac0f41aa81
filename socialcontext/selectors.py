"""Reads of the context app, always through the user's scope.  Each figure has one read here
that the pages, the school card, the documents, the exports and the API all call:
``municipal_context`` (the chart, the fit and its schools of a municipality-year),
``school_context`` (a school's rows and figures), ``objectivity_checks`` (the visit
planner's items) and ``partner_suggestions`` (the list beside the partner pairs)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.scoping import VIEW, municipalities_overseen
from assessment.models import SchoolIndex
from core.cache import scope_key
from core.charts import PALETTE, ScatterPoint, scatter_chart
from core.compiled import prepared, prepared_aggregate
from core.templatetags.opora import num
from core.years import academic_year_label
from schools.models import StatusKind
from schools.selectors import status_sets_by_year
from socialcontext.models import (
    INDICATOR_FIELDS,
    Category,
    ContextFit,
    ContextSource,
    PartnerSuggestion,
    SchoolContext,
    SchoolContextFigure,
)

LOW_COLOR, CANDIDATE_COLOR, OTHER_COLOR, RING_COLOR = "#c0504d", "#a35200", PALETTE[0], "#6a3d9a"


def figures(user):
    return (
        SchoolContextFigure.objects.restrict(user, VIEW)
        .select_related("school", "municipality")
        .order_by("-year", "municipality__name", "school__sort_name")
    )


def fits(user):
    return (
        ContextFit.objects.restrict(user, VIEW).select_related("municipality").order_by("municipality__name", "-year")
    )


def suggestions(user):
    return (
        PartnerSuggestion.objects.restrict(user, VIEW)
        .select_related("school", "partner", "municipality")
        .order_by("-year", "school__sort_name", "rank")
    )


def category_words(figure) -> str:
    """The category of §3 in words, for the card and the reports."""
    if figure is None or not figure.category:
        return ""
    return {
        Category.RESILIENT: _(
            "resilient: a hard context (in the quarter least favourable) and an index not below the median"
        ),
        Category.BELOW: _(
            "below expected: the index is lower than the context predicts by at least one σ of the residuals"
        ),
        Category.ABOVE: _(
            "above expected: the index is higher than the context predicts by at least one σ of the residuals"
        ),
        Category.EXPECTED: _("as expected: the index is within one σ of the residuals of what the context predicts"),
    }[figure.category]


def anomaly_words(figure, fit=None) -> str:
    """Why a figure is a «check objectivity» prompt, with its numbers (never a verdict);
    ``fit``: its municipality-year's fit, to name σ of the residuals."""
    if figure is None or not figure.anomaly:
        return ""
    reasons = []
    if figure.anomaly_residual:
        k = f"{settings.CONTEXT_ANOMALY_SIGMAS:g}".replace(".", ",")
        if fit is not None:
            reasons.append(
                _("the residual %(residual)s is at least %(k)s σ of the residuals (σ = %(sigma)s)")
                % {"residual": num(figure.residual, 2), "k": k, "sigma": num(fit.sigma_residual, 2)}
            )
        else:
            reasons.append(
                _("the residual %(residual)s is at least %(k)s σ of the residuals")
                % {"residual": num(figure.residual, 2), "k": k}
            )
    if figure.anomaly_flags:
        reasons.append(_("signs of non-objectivity of ВПР marks that year: %(n)d") % {"n": figure.anomaly_flags})
    return "; ".join(reasons)


# --- a municipality-year ----------------------------------------------------------------------


@dataclass
class MunicipalContext:
    municipality: object
    year: int | None
    years: list[int] = field(default_factory=list)
    fit: ContextFit | None = None
    figures: list = field(default_factory=list)  # every school with a context index
    context_rows: int = 0
    with_both: int = 0
    reason: str = ""  # why nothing of §3 is computed, where it is not
    chart: str = ""
    demo: bool = False
    counts: dict = field(default_factory=dict)  # category → number of schools
    anomalies: list = field(default_factory=list)
    low: set = field(default_factory=set)
    candidates: set = field(default_factory=set)

    @property
    def category_rows(self) -> list[tuple[str, int]]:
        """(category in words, number of schools) in the order of §3."""
        return [(label, self.counts.get(value, 0)) for value, label in Category.choices]

    @property
    def year_label(self) -> str:
        return academic_year_label(self.year) if self.year else ""


def context_years(municipality) -> list[int]:
    """Years with context rows or figures in the municipality, newest first (each read
    prepared once for every municipality, its id as argument: core/compiled.py)."""
    mid = municipality.pk
    years = set(
        prepared(
            ("context_years.rows",),
            lambda m: SchoolContext.objects.filter(school__municipality=m).values_list("year", flat=True).distinct(),
            mid,
        )
    )
    years |= set(
        prepared(
            ("context_years.figures",),
            lambda m: SchoolContextFigure.objects.filter(municipality=m).values_list("year", flat=True).distinct(),
            mid,
        )
    )
    return sorted(years, reverse=True)


def default_year(municipality, years: list[int] | None = None) -> int | None:
    """The latest year with a fit, else the latest of ``years`` (``context_years``: read here
    unless the caller has them)."""
    latest_fit = prepared_aggregate(
        ("default_year.fit",), lambda m: ContextFit.objects.filter(municipality=m), municipality.pk, y=Max("year")
    )["y"]
    if latest_fit is not None:
        return latest_fit
    years = context_years(municipality) if years is None else years
    return years[0] if years else None


def municipal_context(municipality, year: int | None = None, *, links: bool = True) -> MunicipalContext:
    """Everything the municipal page, its chart and the report's section show for one
    municipality and year (the latest year with a fit by default), in a fixed number of
    queries.  ``links``: each dot links to its school's card (pages; not in a PDF)."""
    years = context_years(municipality)
    if year is None:
        year = default_year(municipality, years)
    data = MunicipalContext(municipality=municipality, year=year, years=years)
    if year is None:
        data.reason = _("There are no context data for the schools of this municipality yet: import the context file.")
        return data
    data.fit = ContextFit.objects.filter(municipality=municipality, year=year).first()
    data.figures = list(
        SchoolContextFigure.objects.filter(municipality=municipality, year=year)
        .select_related("school")
        .order_by("school__sort_name")
    )
    rows = SchoolContext.objects.filter(school__municipality=municipality, year=year)
    data.context_rows = rows.count()
    data.demo = rows.filter(source=ContextSource.DEMO).exists()
    data.with_both = sum(1 for f in data.figures if f.school_index is not None)
    data.low = status_sets_by_year(municipality, StatusKind.LOW_RESULTS, [year])[year]
    data.candidates = set(
        SchoolIndex.objects.filter(municipality=municipality, year=year, candidate=True).values_list(
            "school_id", flat=True
        )
    )
    for f in data.figures:
        if f.category:
            data.counts[f.category] = data.counts.get(f.category, 0) + 1
    data.anomalies = [f for f in data.figures if f.anomaly]
    if data.fit is None:
        data.reason = _why_no_fit(data)
    else:
        data.chart = _chart(data, links=links)
    return data


def _why_no_fit(data: MunicipalContext) -> str:
    need = settings.CONTEXT_MIN_SCHOOLS
    label = data.year_label
    if not data.context_rows:
        return _("There are no context data for %(year)s: import the context file.") % {"year": label}
    if data.with_both < need:
        return _(
            "Results are not read against context for %(year)s: only %(n)d schools have both a context index "
            "and a school index (context rows: %(rows)d, context indices: %(indices)d), and at least %(need)d "
            "are needed for a reliable line."
        ) % {
            "year": label,
            "n": data.with_both,
            "rows": data.context_rows,
            "indices": len(data.figures),
            "need": need,
        }
    return _(
        "Results are not read against context for %(year)s: the context indices of the %(n)d schools do not "
        "differ, so no line can be fitted."
    ) % {"year": label, "n": data.with_both}


def _marker(data: MunicipalContext, school_id: int) -> tuple[str, str, str]:
    if school_id in data.low:
        return "square", LOW_COLOR, _("ШНОР")
    if school_id in data.candidates:
        return "triangle", CANDIDATE_COLOR, _("low-result candidate")
    return "circle", OTHER_COLOR, ""


def _chart(data: MunicipalContext, *, links: bool) -> str:
    fit = data.fit
    points = []
    for f in data.figures:
        if f.school_index is None or f.residual is None:
            continue
        shape, color, mark = _marker(data, f.school_id)
        words = [
            f.school.short_name,
            _("context %(x)s, index %(y)s, expected %(e)s")
            % {"x": num(f.context_index, 2), "y": num(f.school_index, 2), "e": num(f.expected, 2)},
            str(f.get_category_display()),
        ]
        if mark:
            words.insert(1, mark)
        if f.anomaly:
            words.append(_("check objectivity"))
        points.append(
            ScatterPoint(
                x=f.context_index,
                y=f.school_index,
                label="; ".join(words),
                url=reverse("schools:school-detail", args=[f.school_id]) if links else "",
                marker=shape,
                color=color,
                ring=f.anomaly,
            )
        )
    r2 = "—" if fit.r2 is None else num(fit.r2, 2)
    title = _("Results against context, %(year)s: r² = %(r2)s, schools: %(n)d") % {
        "year": data.year_label,
        "r2": r2,
        "n": fit.schools,
    }
    description = _(
        "Scatter chart of %(n)d schools of %(m)s: the context index across (higher is more favourable), the "
        "school index up. The dashed line is the expected index = %(a)s + %(b)s × context index (r² = %(r2)s). "
        "The shaded corner holds resilient schools: context index ≤ %(p25)s (P25) and index ≥ %(p50)s (P50). "
        "Squares are ШНОР schools, triangles low-result candidates, ringed dots are to be checked for objectivity."
    ) % {
        "n": fit.schools,
        "m": data.municipality.name,
        "a": num(fit.intercept, 2),
        "b": num(fit.slope, 2),
        "r2": r2,
        "p25": num(fit.p25_context, 2),
        "p50": num(fit.p50_index, 2),
    }
    return scatter_chart(
        points,
        title=title,
        description=description,
        x_label=_("Context index (higher is more favourable)"),
        y_label=_("School index"),
        line=(fit.intercept, fit.slope),
        corner=(fit.p25_context, fit.p50_index),
        corner_label=_("resilient"),
        legend=[
            ("circle", OTHER_COLOR, _("school")),
            ("square", LOW_COLOR, _("ШНОР")),
            ("triangle", CANDIDATE_COLOR, _("low-result candidate")),
            ("line", "#444", _("expected index")),
            ("area", "#e2efda", _("resilient corner")),
            ("ring", RING_COLOR, _("check objectivity")),
        ],
        min_width=520,
    )


def municipality_for(user, request_value: str = ""):
    """The municipality a page shows: ``?municipality=`` among those the user oversees, else
    the first of them (None where the user oversees none)."""
    # prepared per scope (core/compiled.py), the requested id as argument
    key = ("municipality_for", scope_key(user))
    found = None
    if str(request_value).isdigit():
        one = prepared((*key, "one"), lambda m: municipalities_overseen(user).filter(pk=m)[:1], int(request_value))
        found = next(iter(one), None)
    if found is None:
        found = next(iter(prepared(key, lambda: municipalities_overseen(user)[:1])), None)
    return found


# --- a school ------------------------------------------------------------------------------------


def school_context(school, years_back: int = 3) -> dict:
    """A school's context rows (the last ``years_back`` years) and its figures, for the card
    and the school report."""
    # each read prepared once for every school (its id as argument: core/compiled.py); the
    # school's figures in one read, newest first — the latest of them and those of the rows
    sid = school.pk
    rows = list(
        prepared(
            ("school_context.rows", years_back),
            lambda sid: SchoolContext.objects.filter(school=sid).order_by("-year")[:years_back],
            sid,
        )
    )
    figures = list(
        prepared(
            ("school_context.figures",),
            lambda sid: SchoolContextFigure.objects.filter(school=sid).order_by("-year"),
            sid,
        )
    )
    years = {r.year for r in rows}
    figs = {f.year: f for f in figures if f.year in years}
    latest = figures[0] if figures else None
    fit = (
        next(
            iter(
                prepared(
                    ("school_context.fit",),
                    lambda muni, year: ContextFit.objects.filter(municipality_id=muni, year=year).order_by("pk")[:1],
                    latest.municipality_id,
                    latest.year,
                )
            ),
            None,
        )
        if latest
        else None
    )
    indicators = [
        (SchoolContext._meta.get_field(name).verbose_name, [getattr(r, name) for r in rows])
        for name in ("students", *INDICATOR_FIELDS)
    ]
    return {
        "rows": [{"context": r, "figure": figs.get(r.year)} for r in rows],
        "indicators": indicators,
        "latest": latest,
        "fit": fit,
        "category_words": category_words(latest),
        "anomaly_words": anomaly_words(latest, fit),
        "demo": any(r.is_demo for r in rows),
    }


def school_year_context(school, year: int) -> dict:
    """The school report's lines for one year."""
    row = SchoolContext.objects.filter(school=school, year=year).first()
    figure = SchoolContextFigure.objects.filter(school=school, year=year).first()
    fit = ContextFit.objects.filter(municipality_id=school.municipality_id, year=year).first()
    shares = [(str(label).removesuffix(", %"), value) for label, value in row.indicator_values()] if row else []
    return {
        "context": row,
        "shares": shares,  # (indicator without «, %», percent or None)
        "figure": figure,
        "fit": fit,
        "category_words": category_words(figure),
        "anomaly_words": anomaly_words(figure, fit),
    }


# --- the visit planner --------------------------------------------------------------------------


def objectivity_checks(school_ids) -> dict[int, SchoolContextFigure]:
    """School id → its latest figure with a fit, where that figure is an anomaly («check
    objectivity»: a prompt to look at during the next visit, with its numbers).  ``school_ids``:
    ids or a queryset of them; two queries whatever their number."""
    latest = (
        SchoolContextFigure.objects.filter(school_id=OuterRef("school_id"))
        .exclude(category="")
        .order_by("-year")
        .values("year")[:1]
    )
    found = list(SchoolContextFigure.objects.filter(school_id__in=school_ids, anomaly=True, year=Subquery(latest)))
    if not found:
        return {}
    fits = {
        (fit.municipality_id, fit.year): fit
        for fit in ContextFit.objects.filter(
            municipality_id__in={f.municipality_id for f in found}, year__in={f.year for f in found}
        )
    }
    result = {}
    for f in found:
        f.words = anomaly_words(f, fits.get((f.municipality_id, f.year)))
        result[f.school_id] = f
    return result


def schools_to_check(schools) -> list[int]:
    """Ids of ``schools`` whose latest figure is a «check objectivity» prompt."""
    return list(objectivity_checks(schools.values("id")))


# --- partner suggestions ------------------------------------------------------------------------


def suggestion_year(user, year: int | None = None) -> int | None:
    """The year whose suggestions the pairs page shows: ``year`` where it has any, else the
    latest year with suggestions in the user's scope."""
    qs = PartnerSuggestion.objects.restrict(user, VIEW)
    if year is not None and qs.filter(year=year).exists():
        return year
    return qs.aggregate(y=Max("year"))["y"]


def partner_suggestions(user, year: int | None) -> list[dict]:
    """The suggestions of ``year`` in the user's scope, grouped by the supported school, each
    with whether the pair already exists for the pair year of the form."""
    if year is None:
        return []
    rows = list(suggestions(user).filter(year=year))
    grouped: dict[int, dict] = {}
    for s in rows:
        entry = grouped.setdefault(s.school_id, {"school": s.school, "items": []})
        entry["items"].append(s)
    return list(grouped.values())
