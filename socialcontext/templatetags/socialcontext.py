"""The context app's parts of other apps' pages: the chart on the municipal results page and
the partner suggestions beside the partner-pairs list (each one selector, one template)."""

from django import template
from django.urls import reverse

from accounts import scoping
from accounts.scoping import VIEW
from socialcontext import selectors

register = template.Library()


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


@register.inclusion_tag("socialcontext/_results_panel.html", takes_context=True)
def context_results(context):
    """Results against context for the municipality and year the page's filter names (else the
    reader's first municipality and its latest analysed year) — for those who oversee it."""
    request = context["request"]
    muni = selectors.municipality_for(request.user, request.GET.get("municipality", ""))
    if muni is None:
        return {"mc": None}
    mc = selectors.municipal_context(muni, _int(request.GET.get("year")))
    query = f"?municipality={muni.pk}" + (f"&year={mc.year}" if mc.year else "")
    return {"mc": mc, "more_url": reverse("socialcontext:results") + query}


@register.inclusion_tag("socialcontext/_suggestions_panel.html", takes_context=True)
def partner_suggestions_panel(context):
    """The suggestions of the year the pairs list shows (else the latest year with any), each
    with its numbers and, for a coordinator, a button that forms the pair."""
    from curators.models import PartnerPair
    from socialcontext.forms import PairFromSuggestionForm
    from socialcontext.models import SchoolContextFigure

    request = context["request"]
    user = request.user
    year = selectors.suggestion_year(user, _int(request.GET.get("year")))
    groups = selectors.partner_suggestions(user, year)
    if not groups:
        return {"groups": []}
    ids = {g["school"].pk for g in groups} | {s.partner_id for g in groups for s in g["items"]}
    figures = {f.school_id: f for f in SchoolContextFigure.objects.filter(school_id__in=ids, year=year)}
    pairs: dict[tuple[int, int], list[int]] = {}
    for school_id, leader_id, pair_year in (
        PartnerPair.objects.restrict(user, VIEW)
        .filter(school_id__in=ids, year__gte=year)
        .values_list("school_id", "leader_id", "year")
    ):
        pairs.setdefault((school_id, leader_id), []).append(pair_year)
    for g in groups:
        g["figure"] = figures.get(g["school"].pk)
        for s in g["items"]:
            s.partner_figure = figures.get(s.partner_id)
            s.pair_years = sorted(pairs.get((s.school_id, s.partner_id), []))
    may_pair = scoping.may_form_pairs(user)
    return {
        "groups": groups,
        "year": year,
        "form": PairFromSuggestionForm(user=user) if may_pair else None,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
    }
