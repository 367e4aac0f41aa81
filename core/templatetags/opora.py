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


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist, key):
        self.nodelist, self.key = nodelist, key

    def render(self, context):
        from django.utils.safestring import mark_safe

        from core import cache as portal_cache

        key = self.key.resolve(context)
        if not key:
            return self.nodelist.render(context)
        html = portal_cache.cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            portal_cache.cache.set(key, html, portal_cache.lifetime())
        return mark_safe(html)


@register.tag
def cachedfragment(parser, token):
    """``{% cachedfragment key %}…{% endcachedfragment %}``: the enclosed part rendered
    once per ``key`` — a key from ``core.cache.fragment_key`` (the data generation, the
    user's scope, the date, the language and what the view adds), made by the view; an
    empty key renders every time (nothing may be cached now)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("cachedfragment takes one argument: the key")
    nodelist = parser.parse(("endcachedfragment",))
    parser.delete_first_token()
    return CachedFragmentNode(nodelist, parser.compile_filter(bits[1]))


_menus: dict[tuple, str] = {}


class MenuCacheNode(template.Node):
    def __init__(self, nodelist, menu):
        self.nodelist, self.menu = nodelist, menu

    def render(self, context):
        from django.utils.safestring import mark_safe
        from django.utils.translation import get_language

        menu = self.menu.resolve(context) or []
        sections = tuple(
            (
                (s["id"], str(s["label"]), s["url"], s["icon"], s["active"]),
                tuple((str(i["label"]), i["url"], i["icon"], i["active"]) for i in s["items"]),
            )
            for s in menu
        )
        key = (get_language(), sections)
        html = _menus.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_menus) >= 512:
                _menus.clear()
            _menus[key] = html
        return mark_safe(html)


@register.tag
def menucache(parser, token):
    """``{% menucache nav_menu %}…{% endmenucache %}``: the enclosed navigation rendered
    once per process for each distinct menu (its entries, which is active, the language).
    The enclosed part may use nothing but the menu — no user, no CSRF token."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("menucache takes one argument: the menu")
    nodelist = parser.parse(("endmenucache",))
    parser.delete_first_token()
    return MenuCacheNode(nodelist, parser.compile_filter(bits[1]))
