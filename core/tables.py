"""django-tables2, made cheaper to render.

django-tables2 calls ``inspect.signature`` on a column's render method for every cell
(``utils.call_with_appropriate``): on a page of 50 rows × 8 columns that is 400 signature
computations, about a third of the time of rendering the table.  A function's signature
does not change, so ``cached_signature`` computes it once per function (bound methods by
their underlying function: same parameters, ``self`` dropped)."""

import functools
from collections.abc import Sequence

from django.db import models
from django_tables2 import utils
from django_tables2.data import TableQuerysetData

_uncached_signature = utils.signature


@functools.lru_cache(maxsize=2048)
def _signature_of(func, bound: bool):
    if bound:
        # a bound method's signature is its function's without the first parameter
        args, kwargs = _uncached_signature(func)
        return args[1:], kwargs
    return _uncached_signature(func)


def cached_signature(fn):
    func = getattr(fn, "__func__", None)
    if func is not None and getattr(fn, "__self__", None) is not None:
        try:
            return _signature_of(func, True)
        except TypeError:  # unhashable
            return _uncached_signature(fn)
    try:
        return _signature_of(fn, False)
    except TypeError:
        return _uncached_signature(fn)


def install() -> None:
    utils.signature = cached_signature


class CellRenderer:
    """One column's cells as ``BoundRow.get_cell`` renders them, with what does not change
    from row to row worked out once per table instead of once per cell: the accessor's split,
    the field behind it (``get_FOO_display`` for a field with choices), the render function's
    parameters, the default.  django-tables2 recomputes all of these for every cell (and
    its ``Accessor.resolve`` first tries ``record[bit]``, raising and catching a TypeError
    per model attribute); on the 50-row working table that was half the page's CPU.

    The result is the same object ``get_cell`` returns, cell for cell
    (tests/test_table_rows.py compares the HTML with django-tables2's own template); a
    column whose cells depend on more than its value (``ManyToManyColumn``'s ``exists()``)
    goes through ``get_cell`` unchanged."""

    def __init__(self, bound_column):
        from django_tables2.columns.linkcolumn import BaseLinkColumn
        from django_tables2.columns.manytomanycolumn import ManyToManyColumn
        from django_tables2.utils import Accessor

        self.bound_column = bound_column
        self.name = bound_column.name
        column = bound_column.column
        self.column = column
        self.accessor = Accessor(bound_column.accessor)
        path, _sep, self.remainder = self.accessor.rpartition(self.accessor.SEPARATOR)
        self.path = Accessor(path)
        self.path_bits = tuple(self.path.bits)
        self.bits = tuple(self.accessor.bits)
        self.plain = not (self.accessor.callable_args or self.accessor.callable_kwargs)
        self.fallback = isinstance(column, ManyToManyColumn)
        self.link_text_only = isinstance(column, BaseLinkColumn) and column.text is not None
        self.empty_values = column.empty_values
        self.render = bound_column.render
        self.args, self.kwargs_name = utils.signature(self.render)
        self.link = bound_column.link
        self._fields: dict[type, object] = {}

    def _field(self, record):
        """The model field the accessor ends on (``Accessor.get_field``), per record type."""
        kind = type(record)
        try:
            return self._fields[kind]
        except KeyError:
            from django.core.exceptions import FieldDoesNotExist

            try:
                field = self.accessor.get_field(record)
            except FieldDoesNotExist:
                field = None
            self._fields[kind] = field
            return field

    def _resolve(self, accessor, bits, record):
        """``accessor.resolve(record)``: attribute look-ups on model instances directly (a
        model has no ``__getitem__``, so django-tables2's first try always fails there);
        anything else — dicts, callables, a missing attribute — through ``resolve`` itself."""
        if not self.plain:
            return accessor.resolve(record)
        current = record
        for bit in bits:
            if not isinstance(current, models.Model):
                return accessor.resolve(record)
            try:
                current = getattr(current, bit)
            except (TypeError, AttributeError):
                return accessor.resolve(record)
            if callable(current):
                return accessor.resolve(record)
            if current is None:
                break
        return current

    def __call__(self, row):
        if self.fallback:
            return row.get_cell(self.name)
        record = row.record
        value = None
        remainder = self.remainder
        try:
            penultimate = self._resolve(self.path, self.path_bits, record)
        except Exception:
            penultimate = None  # Accessor.penultimate is quiet
        if isinstance(penultimate, models.Model):
            field = self._field(record)
            display_fn = getattr(penultimate, f"get_{remainder}_display", None)
            if getattr(field, "choices", ()) and display_fn:
                value = display_fn()
                remainder = None
        if remainder:
            try:
                value = self._resolve(self.accessor, self.bits, record)
            except Exception:
                if self.link_text_only:
                    return self._render(row, record, None)
        if value in self.empty_values:
            return self.bound_column.default
        return self._render(row, record, value)

    def _render(self, row, record, value):
        available = {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": self.bound_column,
            "bound_row": row,
            "table": row._table,
        }
        if self.kwargs_name:
            content = self.render(**available)
        elif all(arg in available for arg in self.args):
            content = self.render(**{arg: available[arg] for arg in self.args})
        else:
            content = None  # call_with_appropriate does not call it
        return self.link(content, **available) if self.link else content


class PreparedTableData(TableQuerysetData):
    """A paginated table's rows through prepared queries (``core.compiled``): the count and
    each page are SQL compiled once per ``key`` and ordering, then only run — the table's
    queryset (a dozen annotated subqueries on the working table) is not built, ordered and
    compiled per request.  ``build()`` makes the unordered queryset when a statement is
    compiled (its first use; every use in check mode); the orderings the table applies are
    recorded and replayed on it by django-tables2's own ``TableQuerysetData.order_by``.

    ``key`` is the caller's promise that ``build()``'s SQL depends on nothing else (the
    reader's scope, the filters' values, the year and date…); check mode
    (``OPORA_PREPARED_QUERIES = "check"``, the tests) builds it again on every use and fails
    on a key that misses an input.  Unpaginated (the xlsx export) the built queryset is read
    as it is.  ``attach(rows)``, when given, does for a page's rows what the queryset's
    ``prefetch_related`` would (the page is then read without it); ``read(queryset)``, when
    given with it, is what a page's statement reads (figures that ``attach`` finishes in
    Python left out)."""

    def __init__(self, model, key: tuple, build, attach=None, read=None):
        super().__init__(None)
        self._model, self.key, self.build, self.attach = model, key, build, attach
        self.read = read or (lambda queryset: queryset)
        self.orderings: tuple = ()
        self._all = None

    @property
    def model(self):
        return self._model

    @property
    def ordering(self):
        probe = TableQuerysetData(self.build())
        probe.set_table(self.table)
        return probe.ordering

    def order_by(self, aliases):
        if aliases:  # an empty ordering leaves the data as it is (TableQuerysetData.order_by)
            self.orderings = (*self.orderings, tuple(str(alias) for alias in aliases))
            self._all = None

    def queryset(self):
        """``build()`` ordered as the table asked."""
        from django_tables2.utils import OrderByTuple

        data = TableQuerysetData(self.build())
        data.set_table(self.table)
        for aliases in self.orderings:
            data.order_by(OrderByTuple(aliases))
        return data.data

    def _paginated(self) -> bool:
        return hasattr(self.table, "paginator")

    def _everything(self):
        if self._all is None:
            self._all = self.queryset()
        return self._all

    def __len__(self):
        if not self._paginated():
            return len(self._everything())
        if getattr(self, "_length", None) is None:
            from core.compiled import prepared_count

            self._length = prepared_count((*self.key, "count"), self.build)
        return self._length

    def __iter__(self):
        return iter(self._everything())

    def __getitem__(self, item):
        if not (self._paginated() and isinstance(item, slice) and item.step is None):
            return self._everything()[item]
        from core.compiled import prepared

        start, stop = item.start or 0, item.stop
        key = (*self.key, "rows", self.orderings, start, stop)
        if self.attach is None:
            return _Rows(lambda: list(prepared(key, lambda: self.queryset()[start:stop])))

        def rows():
            page = list(
                prepared((*key, "attach"), lambda: self.read(self.queryset().prefetch_related(None))[start:stop])
            )
            self.attach(page)
            return page

        return _Rows(rows)


class _Rows(Sequence):
    """A page's rows, read when first used — as a sliced queryset is: a page whose rendering
    comes from the fragment cache (cache on) reads no rows."""

    def __init__(self, fetch):
        self._fetch, self._rows = fetch, None

    def _all(self) -> list:
        if self._rows is None:
            self._rows = self._fetch()
        return self._rows

    def __len__(self):
        return len(self._all())

    def __getitem__(self, item):
        return self._all()[item]

    def __iter__(self):
        return iter(self._all())
