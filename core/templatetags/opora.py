from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe

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


def _kept(store: dict, limit: int, key, render) -> str:
    """``render()`` kept in ``store`` under ``key`` for this process (emptied when it reaches
    ``limit`` entries): the one memo of {% menucache %} and {% formcache %}."""
    html = store.get(key)
    if html is None:
        html = render()
        if len(store) >= limit:
            store.clear()
        store[key] = html
    return mark_safe(html)


class MenuCacheNode(template.Node):
    def __init__(self, nodelist, menu):
        self.nodelist, self.menu = nodelist, menu

    def render(self, context):
        from django.utils.translation import get_language

        menu = self.menu.resolve(context) or []
        key = getattr(menu, "key", None)  # core.navigation.Menu: what its entries were made from
        if key:
            return _kept(_menus, 512, key, lambda: self.nodelist.render(context))
        sections = tuple(
            (
                (s["id"], str(s["label"]), s["url"], s["icon"], s["active"]),
                tuple((str(i["label"]), i["url"], i["icon"], i["active"]) for i in s["items"]),
            )
            for s in menu
        )
        return _kept(_menus, 512, (get_language(), sections), lambda: self.nodelist.render(context))


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


_fixed: dict[tuple, str] = {}


class FixedCacheNode(template.Node):
    def __init__(self, nodelist, name, values):
        self.nodelist, self.name, self.values = nodelist, name, values

    def render(self, context):
        from django.conf import settings
        from django.utils.translation import get_language

        key = (self.name, get_language(), *(v.resolve(context) for v in self.values))
        if getattr(settings, "OPORA_PREPARED_QUERIES", "on") == "check":
            html, kept = self.nodelist.render(context), _fixed.get(key)
            if kept is not None and kept != html:
                raise AssertionError(
                    f"{{% fixedcache {self.name} %}} rendered otherwise under the same key: it uses more"
                )
        return _kept(_fixed, 256, key, lambda: self.nodelist.render(context))


@register.tag
def fixedcache(parser, token):
    """``{% fixedcache "name" value … %}…{% endfixedcache %}``: the enclosed part of a page's
    frame (static links, menu entries, translated labels) rendered once per process for each
    name, language and the values given.  It may use nothing else — no request, user, CSRF
    token or figure; check mode (the tests') renders it every time and fails when it differs."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("fixedcache takes a name and the values it depends on")
    nodelist = parser.parse(("endfixedcache",))
    parser.delete_first_token()
    return FixedCacheNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    """The body rows of a django-tables2 table, rendered in Python: the same cells, attributes
    and localisation as the row block of ``django_tables2/bootstrap5.html`` (which
    core/table.html used to render per cell), without the template engine's per-cell
    nodes, look-ups and filters — a third of a 50-row list page's time (bench/README.md)."""
    from django.template.base import render_value_in_context
    from django.utils import formats

    # A cell's attributes are its column's, computed once, unless they depend on the record
    # (a callable): then per cell.
    from core.tables import CellRenderer

    columns = [(column, CellRenderer(column)) for column in table.columns]
    per_cell = {c.name for c, _r in columns if any(map(callable, (c.column.attrs.get("td") or {}).values()))}
    # A table may write some columns' cells itself, straight from the record (its
    # ``cell_formatters()``: name → record → the cell's HTML, or None for the general way):
    # not for a column whose attributes or localisation depend on the cell.
    formatters = table.cell_formatters() if hasattr(table, "cell_formatters") else {}
    plan = [
        (
            column,
            renderer,
            None if column.name in per_cell or column.localize is not None else formatters.get(column.name),
        )
        for column, renderer in columns
    ]
    fixed: dict[str, str] = {}
    row_html: dict[tuple, str] = {}  # the rows' attributes as HTML, per distinct attributes
    parts = []
    for row in table.paginated_rows:
        cells = []
        for column, renderer, formatter in plan:
            html = None if formatter is None else formatter(row.record)
            if html is None:
                # as BoundRow.items(): a column's callable attributes may read the current cell
                column.current_value = cell = renderer(row)
                column.current_record = row.record
            td = fixed.get(column.name)
            if td is None:
                td = column.attrs["td"].as_html()
                if column.name not in per_cell:
                    fixed[column.name] = td
            if html is None:
                if column.localize is not None:
                    cell = str(formats.localize(cell, use_l10n=bool(column.localize)))
                # td: the attributes' HTML (safe); the value escaped by render_value_in_context —
                # what format_html("<td {}>{}</td>", …) would give, without escaping them again
                html = render_value_in_context(cell, context)
            cells.append(f"<td {td}>{html}</td>")
        attrs = row.attrs
        try:
            key = tuple(attrs.items())
            tr = row_html.get(key)
            if tr is None:
                tr = row_html[key] = attrs.as_html()
        except TypeError:  # an unhashable attribute value
            tr = attrs.as_html()
        parts.append(f"<tr {tr}>{''.join(cells)}</tr>")
    return mark_safe("\n".join(parts))


@register.simple_tag(takes_context=True)
def table_head(context, table):
    """The header block of a django-tables2 table (``table.thead`` of
    ``django_tables2/bootstrap5.html``, whitespace and all), written in Python: the same
    header cells, their attributes and sort links (``querystring_replace``) without the
    template engine's nodes per column (tests/test_table_rows.py compares the whole table)."""
    from django.core.exceptions import ImproperlyConfigured
    from django.template import Variable, VariableDoesNotExist
    from django.template.base import render_value_in_context
    from django.utils.html import escape
    from django.utils.http import urlencode

    if not table.show_header:
        return mark_safe("\n            \n            ")
    try:  # {{ table.attrs.thead.as_html }}: nothing unless the table's attributes carry one
        thead = render_value_in_context(Variable("table.attrs.thead.as_html").resolve({"table": table}), context)
    except VariableDoesNotExist:
        thead = ""
    parts = [f"\n            \n                <thead {thead}>\n                <tr>\n                "]
    params = None
    for column in table.columns:
        header = render_value_in_context(column.header, context)
        if column.orderable:
            if params is None:
                if "request" not in context:
                    raise ImproperlyConfigured("table_head needs the request in the template's context")
                params = dict(context["request"].GET)
                field = table.prefixed_order_by_field
            link = dict(params)
            if field not in ("", None):
                link[field] = column.order_by_alias.next
            query = escape("?" + urlencode(link, doseq=True))
            cell = f'\n                            <a href="{query}">{header}</a>\n                        '
        else:
            cell = f"\n                            {header}\n                        "
        th = render_value_in_context(column.attrs["th"].as_html(), context)
        parts.append(
            f'\n                    <th {th} scope="col">\n                        {cell}\n                    </th>\n                '
        )
    parts.append("\n                </tr>\n                </thead>\n            \n            ")
    return mark_safe("".join(parts))


@register.simple_tag(takes_context=True)
def render_table_here(context, table):
    """django-tables2's ``{% render_table table %}`` for a Table, rendered within the page's own
    context: ``render_table`` renders the table's template with a RequestContext of its own,
    which runs every context processor a second time (the menu, ≈ 1 ms of a list page); here
    the template sees the page's context with ``table`` on top (it reads ``table`` and
    ``request``; a TemplateColumn gets the context through ``table.context`` as before)."""
    from django.template.loader import get_template

    template = get_template(table.template_name)
    table.context = context
    try:
        table.before_render(context.get("request"))
        with context.push(table=table):
            return template.template.render(context)
    finally:
        del table.context


_forms: dict[tuple, str] = {}


def form_fingerprint(form) -> tuple | None:
    """Everything that decides how a filter form's fields render: per field its names and
    ids, classes, widget attributes, label, help text, flags, value, choices (a model
    choice field's are read here once and kept on the field, so rendering asks no second
    query) and errors; the form's class, prefix, binding and the language.  None when a
    field cannot be described (its value or choices unhashable): then the form renders."""
    from django.utils.translation import get_language

    # the form's class by name and bases: django-filter builds a new class per filterset
    kind = type(form)
    parts = [
        kind.__module__,
        kind.__qualname__,
        kind.__bases__,
        form.prefix,
        form.is_bound,
        form.auto_id,
        form.label_suffix,
        form.use_required_attribute,
    ]
    parts.append(get_language())
    parts.append(tuple(str(e) for e in form.non_field_errors()))  # a whole form's rendering shows them
    try:
        for bf in form:
            field, widget = bf.field, bf.field.widget
            item = [
                bf.name,
                bf.html_name,
                bf.auto_id,
                type(field),
                type(widget),
                tuple(sorted((k, str(v)) for k, v in widget.attrs.items())),
                str(bf.label),
                str(field.help_text),
                field.required,
                field.disabled,
                widget.is_hidden,
                repr(bf.value()),
                tuple(str(e) for e in bf.errors),
            ]
            if hasattr(field, "choices"):
                choices = list(iter(field.choices))  # iter(): a model choice iterator's len() would COUNT
                if hasattr(field, "queryset"):
                    widget.choices = choices  # rendered from this list: one query, not two
                item.append(tuple((str(v), str(label)) for v, label in choices))
            parts.append(tuple(item))
        key = tuple(parts)
        hash(key)
    except TypeError:
        return None
    return key


class FormCacheNode(template.Node):
    def __init__(self, nodelist, form):
        self.nodelist, self.form = nodelist, form

    def render(self, context):

        form = self.form.resolve(context)
        fingerprint = form_fingerprint(form) if form is not None else None
        if fingerprint is None:
            return self.nodelist.render(context)
        return _kept(_forms, 256, (id(self), fingerprint), lambda: self.nodelist.render(context))


@register.tag
def formcache(parser, token):
    """``{% formcache form %}…{% endformcache %}``: the enclosed rendering of ``form``'s fields
    (crispy's per-field templates: most of a filter panel's time) kept per process for each
    distinct state of the form (``form_fingerprint``: values, choices, errors, language…).
    The enclosed part may use nothing but the form — no request, no CSRF token."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("formcache takes one argument: the form")
    nodelist = parser.parse(("endformcache",))
    parser.delete_first_token()
    return FormCacheNode(nodelist, parser.compile_filter(bits[1]))
