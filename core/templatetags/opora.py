from django import template
from django.utils.formats import number_format

from core.years import academic_year_label

register = template.Library()


@register.filter
def academic_year(value) -> str:
    """2022 → «2022/2023»."""
    try:
        return academic_year_label(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def percent(value, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage with one decimal: 0.253 → «25,3 %»."""
    if value is None or value == "":
        return "—"
    # number_format cuts decimals off; round first so 2/3 reads «66,7 %».
    return f"{number_format(round(float(value) * 100, digits), digits)} %"


@register.filter
def num(value, digits: int = 1) -> str:
    if value is None or value == "":
        return "—"
    return number_format(round(float(value), digits), digits)


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for export links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    query.pop("page", None) if "export" in kwargs else None
    return "?" + query.urlencode()
