"""A query compiled once and run again with other ids.

Building and compiling a queryset of many correlated subqueries (the coordinator's working
table: a dozen figures, each a subquery with its own filters) costs Python far more than
PostgreSQL spends running it for a page of 50 rows.  ``CompiledRows`` compiles such a
queryset once — restricted to ``id = ANY(<ids>)``, so the SQL is the same for every page
and every reader — keeps its SQL, parameters, column names and Django's converters, and
afterwards only swaps the ids in: the rows are the dicts ``queryset.values()`` would give
for those ids (the same SQL, the same converters).

The SQL may depend only on what the caller puts into its memo key (the academic year, the
date, …): never on a reader, a request or the data.  PostgreSQL only (``= ANY``); callers
fall back to the ordinary queryset elsewhere."""

from __future__ import annotations

import contextlib
import copy
import datetime
import hashlib
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router


class _Ids:
    """Stands in for the ids while the query is compiled (found again by identity)."""


def among(queryset, field: str, ids: list[int]):
    """``queryset`` filtered to the rows whose ``field`` (a column of its model) is one of
    ``ids``: on PostgreSQL one array parameter, ``= ANY(%s)`` — the same SQL for any number of
    ids, so a statement prepared with a list of ids as its argument holds for every list —
    and ``field__in`` elsewhere (SQLite, ``make run``, where nothing is prepared)."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset.filter(**{f"{field}__in": ids})
    column = queryset.model._meta.get_field(field).column
    return queryset.extra(where=[f'"{queryset.model._meta.db_table}"."{column}" = ANY(%s)'], params=[ids])


def restricted_to_ids(queryset):
    """``queryset`` filtered to ``id = ANY(<ids>)``, and the stand-in of the ids' parameter."""
    marker = _Ids()
    table = queryset.model._meta.db_table
    pk = queryset.model._meta.pk.column
    return queryset.extra(where=[f'"{table}"."{pk}" = ANY(%s)'], params=[marker]), marker


class CompiledRows:
    def __init__(self, values_queryset, marker):
        query = values_queryset.query
        compiler = query.get_compiler(values_queryset.db)
        sql, params = compiler.as_sql()
        slots = [i for i, p in enumerate(params) if p is marker]
        if len(slots) != 1:
            raise ValueError("the ids must appear once among the query's parameters")
        self.model = values_queryset.model
        self.sql, self.params, self.slot = sql, list(params), slots[0]
        self.statement = _Statement(sql, params, (marker,))
        self.statement.slots = [[slots[0]]]
        if query.selected:
            self.names = list(query.selected)
        else:
            self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters = list(compiler.get_converters(fields).items())

    def rows(self, ids) -> list[dict]:
        """The rows of these ids, in the query's order, as ``values()`` dicts."""
        ids = list(ids)
        if not ids:
            return []
        connection = connections[router.db_for_read(self.model)]
        with connection.cursor() as cursor:
            cursor.execute(*_executable(connection, self.statement, (ids,)))
            raw = cursor.fetchall()
        names, converters = self.names, self.converters
        result = []
        for row in raw:
            if converters:
                row = list(row)
                for pos, (convs, expression) in converters:
                    value = row[pos]
                    for converter in convs:
                        value = converter(value, expression, connection)
                    row[pos] = value
            result.append(dict(zip(names, row, strict=True)))
        return result


# --- Prepared querysets: built and compiled once per key -----------------------------------------
#
# Most of the coordinator's home page is a dozen small aggregate and list queries whose SQL
# depends only on the reader's scope, the academic year and the date — yet each request built
# them (``filter()``, ``annotate()``: Python) and compiled them (``as_sql``: more Python) anew:
# ≈ 1–1.5 ms of CPU per query against a fraction of that in PostgreSQL.  ``prepared(key,
# build)`` builds and compiles ``build()`` once per ``key`` and process; afterwards each call
# only runs the SQL and turns the rows into what the queryset would have given (model
# instances with their ``select_related`` objects, ``values()`` dicts, …) through Django's own
# iterables.  Nothing of the *data* is kept: every call reads the database.
#
# The key is the caller's promise that the SQL depends on nothing else (use ``scope_key(user)``
# for the reader, and the year and date the query filters on).  A value that changes with
# every call (the time now) is passed as an argument instead: ``prepared(key, build, now)``
# calls ``build(now)`` and, on later calls, puts the new value where the first one went among
# the parameters (found by building the query a second time with other values, once: the
# parameters that moved with the argument; a value derived from it — ``now - 6 months`` — is
# not found, and such a query is built every time).  A key that misses an input would run
# another reader's SQL silently, so ``OPORA_PREPARED_QUERIES = "check"`` (the test settings)
# builds and compiles the queryset again on every hit and raises ``PreparedQueryMismatch``
# when its SQL or parameters differ from the memo's; "off" builds every time.


class PreparedQueryMismatch(AssertionError):
    """A prepared query's key did not capture everything its SQL depends on."""


_MEMO_SIZE = 1024
_memo: OrderedDict = OrderedDict()
_lock = threading.Lock()
_NOT_KEPT = object()  # a query that cannot be prepared: built every time


def _mode() -> str:
    """``on``, ``check`` or ``off``; always ``off`` on a database other than PostgreSQL (the
    SQLite of ``make run``): the kept statements are read through PostgreSQL's driver."""
    if connections["default"].vendor != "postgresql":
        return "off"
    return getattr(settings, "OPORA_PREPARED_QUERIES", "on")


def _remember(key, entry) -> None:
    with _lock:
        _memo[key] = entry
        _memo.move_to_end(key)
        while len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)


def _recall(key):
    with _lock:
        entry = _memo.get(key)
        if entry is not None:
            _memo.move_to_end(key)
        return entry


def forget_prepared() -> None:
    """Drop every prepared query (tests; never needed for correctness in production)."""
    with _lock:
        _memo.clear()


class _Statement:
    """SQL and parameters, and where the call's arguments go among the parameters."""

    def __init__(self, sql: str, params, args: tuple):
        self.sql, self.params = sql, tuple(params)
        self.slots: list[list[int]] = [[] for _ in args]

    def find_slots(self, args: tuple, other: _Statement | None, other_args: tuple) -> bool:
        """Where the arguments go: the parameters that differ from ``other``'s (the same
        query built with ``other_args``) and equal the argument here and there.  False when
        the two differ anywhere else (a value derived from an argument, another query)."""
        if not args:
            return True
        if other is None or other.sql != self.sql or len(other.params) != len(self.params):
            return False
        for i, (mine, theirs) in enumerate(zip(self.params, other.params, strict=True)):
            if mine == theirs and type(mine) is type(theirs):
                continue
            owners = [n for n, (a, b) in enumerate(zip(args, other_args, strict=True)) if mine == a and theirs == b]
            if len(owners) != 1:
                return False
            self.slots[owners[0]].append(i)
        return all(self.slots)

    def bound(self, args: tuple) -> tuple:
        if not args:
            return self.params
        params = list(self.params)
        for positions, arg in zip(self.slots, args, strict=True):
            for i in positions:
                params[i] = arg
        return tuple(params)


def _other(args: tuple, near: bool = False) -> tuple:
    """Other values of the arguments' types, to tell their places among the parameters:
    far from the given ones, or (``near``) the next ones — for a field whose range the far
    value leaves (a year in a small integer: Django compiles such a lookup to nothing)."""
    result = []
    for arg in args:
        if isinstance(arg, str):
            result.append(arg + "\u2063")
        elif isinstance(arg, int | datetime.date) and not isinstance(arg, bool):
            if isinstance(arg, int):
                result.append(arg + (1 if near else 104729))
            else:
                result.append(arg + datetime.timedelta(days=1, microseconds=1))
        elif isinstance(arg, list) and arg and all(isinstance(a, int) and not isinstance(a, bool) for a in arg):
            result.append([a + (1 if near else 104729) for a in arg])  # ids, as one array parameter (``= ANY(%s)``)
        else:
            raise TypeError(
                f"a prepared query's argument is an int, a str, a date, a datetime or a list of ints, not {type(arg)}"
            )
    return tuple(result)


def _slots_found(statement: _Statement, args: tuple, statement_of) -> bool:
    """Whether the places of ``args`` among ``statement``'s parameters are found, comparing
    with ``statement_of(other)`` — the same query built with other values: the far ones, or
    the next ones when the far ones leave a field's range (a year in a small integer: Django
    compiles such a lookup to nothing, or to another condition)."""
    if not args:
        return True
    for near in (False, True):
        other = _other(args, near=near)
        statement.slots = [[] for _ in args]
        if statement.find_slots(args, statement_of(other), other):
            return True
    return False


def _compile(queryset, args: tuple):
    """The statement of ``queryset`` (None: nothing can match) and what its compiler learnt
    while compiling (select list, related-object info, …)."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
        statement = _Statement(sql, params, args) if sql else None
    except EmptyResultSet:
        statement = None
    state = {k: v for k, v in compiler.__dict__.items() if k not in ("query", "connection", "using", "elide_empty")}
    return statement, state


def _same_statement(entry_statement, fresh_statement, args, key) -> None:
    expected = None if entry_statement is None else (entry_statement.sql, entry_statement.bound(args))
    fresh = None if fresh_statement is None else (fresh_statement.sql, fresh_statement.params)
    if expected != fresh:
        raise PreparedQueryMismatch(f"prepared query {key!r}: {expected!r} != {fresh!r}")


class _PreparedRows:
    # set afresh for each call; every other attribute of the queryset is kept as built: the
    # iterable, fields, prefetches, hints, database — and a subclass's own (simple_history's
    # HistoricalQuerySet: ``_as_instances``, ``_pk_attr``)
    _FRESH = frozenset(("model", "_query", "_result_cache", "_sticky_filter", "_for_write", "_prefetch_done"))
    _FRESH |= {"_defer_next_filter", "_deferred_filter"}

    def __init__(self, queryset, statement, state):
        self.statement, self.state = statement, state
        self.query = queryset.query
        self.queryset_class = type(queryset)
        self.model = queryset.model
        self.attrs = {name: value for name, value in queryset.__dict__.items() if name not in self._FRESH}

    def queryset(self, args: tuple):
        qs = self.queryset_class.__new__(self.queryset_class)
        qs.__dict__.update(
            model=self.model,
            _query=_FrozenQuery(self, args),
            _result_cache=None,
            _sticky_filter=False,
            _for_write=False,
            _prefetch_done=False,
            _defer_next_filter=False,
            _deferred_filter=None,
        )
        qs.__dict__.update({k: (dict(v) if isinstance(v, dict) else v) for k, v in self.attrs.items()})
        return qs


class _FrozenQuery:
    """The prepared query as a queryset sees it: compilers that already know their SQL; no
    further filtering (that would be another query: put it in ``build``)."""

    def __init__(self, entry: _PreparedRows, args: tuple):
        self._entry, self._args = entry, args

    def __getattr__(self, name):
        return getattr(self._entry.query, name)

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        entry, args = self._entry, self._args
        compiler = entry.query.get_compiler(using=using, connection=connection, elide_empty=elide_empty)
        compiler.__dict__.update(entry.state)

        def as_sql(*_args, **_kwargs):
            if entry.statement is None:
                raise EmptyResultSet
            return _executable(compiler.connection, entry.statement, args)

        compiler.as_sql = as_sql
        return compiler

    def chain(self, klass=None):
        raise TypeError("a prepared queryset is read as built: filter, order or slice it in its build()")

    clone = chain


def prepared(key: tuple, build, *args):
    """``build(*args)`` — a queryset — compiled once per ``key``; every call runs its SQL
    afresh (with these ``args``).  The result reads like the queryset (iterate, ``len``,
    ``bool``, index the evaluated list); it cannot be filtered further."""
    if _mode() == "off":
        return build(*args)
    memo_key = ("rows", *key)
    entry = _recall(memo_key)
    if entry is None:
        queryset = build(*args)
        if queryset._result_cache is not None:
            raise ValueError("prepare a queryset that has not been evaluated")
        statement, state = _compile(queryset, args)
        if statement is None and args:
            # nothing can match — maybe for these arguments only (an id beyond its field's
            # range compiles to nothing): not kept, or every later id would find nothing
            return queryset
        if statement is not None and not _slots_found(statement, args, lambda other: _compile(build(*other), other)[0]):
            _remember(memo_key, _NOT_KEPT)
            return queryset
        entry = _PreparedRows(queryset, statement, state)
        _remember(memo_key, entry)
    elif entry is _NOT_KEPT:
        return build(*args)
    elif _mode() == "check":
        _same_statement(entry.statement, _compile(build(*args), args)[0], args, key)
    return entry.queryset(args)


# --- Scalars (count, exists, aggregate): the one statement captured as it runs ----------------


class _PreparedScalar:
    def __init__(self, model, statement, value):
        self.model, self.statement, self.value = model, statement, value


class _Stop(Exception):
    pass


def _captured(queryset, evaluate, args: tuple, run: bool = True):
    """``evaluate(queryset)`` and the one statement it ran (None when it ran none); with
    ``run=False`` only the statement, which is not sent to the database."""
    seen = []

    def capture(execute, sql, params, many, context):
        seen.append(_Statement(sql, params or (), args))
        if not run:
            raise _Stop
        return execute(sql, params, many, context)

    value = None
    connection = connections[queryset.db]
    with connection.execute_wrapper(capture), contextlib.suppress(_Stop):
        value = evaluate(queryset)
    if seen and not run and connection.queries_logged and connection.queries_log:
        connection.queries_log.pop()  # the debug cursor logged the statement that was never sent
    if len(seen) > 1:
        raise ValueError("a prepared scalar must be one statement")
    return value, (seen[0] if seen else None)


def _fetch(entry: _PreparedScalar, args: tuple, check: bool = False):
    """The row of the kept statement.  ``check``: the first call's comparison with what Django
    gave, read through the raw connection — bookkeeping, not one of the page's queries."""
    connection = connections[router.db_for_read(entry.model)]
    if check:
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute(entry.statement.sql, entry.statement.bound(args))
            return cursor.fetchone(), [column.name for column in cursor.description]
    with connection.cursor() as cursor:
        cursor.execute(*_executable(connection, entry.statement, args))
        row = cursor.fetchone()
        names = [column.name for column in cursor.description]
    return row, names


def _same(a, b) -> bool:
    """Equal and of the same types, down to the items of dicts and lists."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _scalar(kind: str, key: tuple, build, args: tuple, evaluate, read):
    """``evaluate(build(*args))``; afterwards its statement is run and its row ``read``.
    The first call reads the row of its statement too and keeps the statement only when
    ``read`` gives the same value of the same type as Django did (so nothing Django would
    convert — a decimal average, a date — is kept)."""
    if _mode() == "off":
        return evaluate(build(*args))
    memo_key = (kind, *key)
    entry = _recall(memo_key)
    if entry is None:
        queryset = build(*args)
        value, statement = _captured(queryset, evaluate, args)
        entry = _PreparedScalar(queryset.model, statement, value)
        if statement is None and args:
            return value  # no statement, maybe for these arguments only (see ``prepared``): not kept
        if statement is not None and args:
            found = _slots_found(statement, args, lambda other: _captured(build(*other), evaluate, other, run=False)[1])
        else:
            found = True
        keep = statement is None or (found and _same(read(*_fetch(entry, args, check=True)), value))
        _remember(memo_key, entry if keep else _NOT_KEPT)
        return value
    if entry is _NOT_KEPT:
        return evaluate(build(*args))
    if _mode() == "check":  # the statement the queryset would run now (not run)
        _same_statement(entry.statement, _captured(build(*args), evaluate, args, run=False)[1], args, key)
    return copy.copy(entry.value) if entry.statement is None else read(*_fetch(entry, args))


def prepared_count(key: tuple, build, *args) -> int:
    """``build(*args).count()``, its statement captured once per ``key`` (see ``prepared``)."""
    return _scalar("count", key, build, args, lambda qs: qs.count(), lambda row, names: row[0])


def prepared_exists(key: tuple, build, *args) -> bool:
    """``build(*args).exists()``, its statement captured once per ``key`` (see ``prepared``)."""
    return _scalar("exists", key, build, args, lambda qs: qs.exists(), lambda row, names: row is not None)


def prepared_aggregate(key: tuple, build, *args, **aggregates) -> dict:
    """``build(*args).aggregate(**aggregates)``, its statement captured once per ``key`` (see
    ``prepared``); the row is read by column name as the database gives it."""
    return _scalar(
        "aggregate",
        key,
        build,
        args,
        lambda qs: qs.aggregate(**aggregates),
        lambda row, names: dict(zip(names, row, strict=True)),
    )


# --- Server-side prepared statements (PostgreSQL) ------------------------------------------------
#
# A statement kept here is the same SQL every time, so PostgreSQL need not parse and plan it
# every time either (planning was a third of the home page's SQL time): it is PREPAREd once
# per database session — every parameter written in as psycopg2 would send it, the call's
# arguments as $1, $2, … — and run as ``EXECUTE name(args)``.  The PREPARE goes through the
# raw connection (it is not one of the page's queries), inside a savepoint when a transaction
# is open; a statement PostgreSQL refuses to prepare is run as plain SQL.  Prepared statements
# outlive a rollback and die with the session (a new connection starts afresh).


def _server_text(statement: _Statement, raw) -> tuple[str, str]:
    cached = statement.__dict__.get("_server")
    if cached is None:
        from psycopg2.extensions import AsIs

        params = list(statement.params)
        for n, positions in enumerate(statement.slots, start=1):
            for i in positions:
                params[i] = AsIs(f"${n}")
        with raw.cursor() as cursor:
            text = cursor.mogrify(statement.sql, params).decode()
        name = "opora_" + hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
        cached = statement._server = (name, text)
    return cached


def _server_name(connection, statement: _Statement) -> str | None:
    """The name of ``statement`` PREPAREd in this session of ``connection``, or None (not
    PostgreSQL, switched off, or refused: run it as plain SQL)."""
    if connection.vendor != "postgresql" or not getattr(settings, "OPORA_SERVER_PREPARED", True):
        return None
    connection.ensure_connection()
    raw = connection.connection
    state = connection.__dict__.get("_opora_server_prepared")
    if state is None or state[0] is not raw:
        state = connection._opora_server_prepared = (raw, {})
    name, text = _server_text(statement, raw)
    known = state[1].get(name)
    if known is None:
        import psycopg2

        in_transaction = not raw.autocommit
        with raw.cursor() as cursor:
            try:
                if in_transaction:
                    cursor.execute("SAVEPOINT opora_prepare")
                cursor.execute(f"PREPARE {name} AS {text}")
                known = True
            except psycopg2.Error:
                if in_transaction:
                    cursor.execute("ROLLBACK TO SAVEPOINT opora_prepare")
                known = False
            if in_transaction:
                cursor.execute("RELEASE SAVEPOINT opora_prepare")
        state[1][name] = known
    return name if known else None


def _executable(connection, statement: _Statement, args: tuple) -> tuple[str, tuple]:
    """What to send for ``statement`` with ``args``: EXECUTE of the prepared statement, or
    the SQL with its parameters."""
    name = _server_name(connection, statement)
    if name is None:
        return statement.sql, statement.bound(args)
    if not args:
        return f"EXECUTE {name}", ()
    return f"EXECUTE {name}({', '.join(['%s'] * len(args))})", tuple(args)


# --- Several single values in one statement ----------------------------------------------------


def _part(part):
    """(queryset, evaluate, SQL wrapper) of a part of ``prepared_together``."""
    kind, build, *rest = part
    if kind == "count":
        return build(), lambda qs: qs.count(), "({})"
    if kind == "list":
        return build(), list, "ARRAY({})"
    if kind == "aggregate":
        ((name, aggregate),) = rest[0].items()
        return build(), lambda qs: qs.aggregate(**{name: aggregate})[name], "({})"
    raise ValueError(f"a part of prepared_together is count, list or aggregate, not {kind!r}")


def _together(parts, run: bool):
    """The parts' values (as Django reads them, when ``run``), their one statement (None when
    a part runs no single statement: nothing can match) and the model that routes it."""
    values, sql, params, model = [], [], [], None
    for part in parts:
        queryset, evaluate, wrapper = _part(part)
        model = model or queryset.model
        if wrapper.startswith("ARRAY"):
            statement = _compile(queryset, ())[0]
            values.append(evaluate(queryset) if run else None)
        else:
            value, statement = _captured(queryset, evaluate, (), run=run)
            values.append(value)
        if statement is None:
            return values, None, model
        sql.append(wrapper.format(statement.sql))
        params += statement.params
    return values, _Statement("SELECT " + ", ".join(sql), params, ()), model


@contextlib.contextmanager
def _unlogged():
    """What the block runs is not left in the debug cursors' logs (``CaptureQueriesContext``)."""
    logs = [(c, len(c.queries_log)) for c in connections.all()]
    try:
        yield
    finally:
        for connection, before in logs:
            for _ in range(len(connection.queries_log) - before):
                connection.queries_log.pop()


def prepared_together(key: tuple, *parts) -> list:
    """The values of ``parts`` read by one statement, compiled once per ``key`` (see
    ``prepared``): ``("count", build)`` — ``build().count()``; ``("list", build)`` — the rows
    of a flat ``values_list`` (ordered, sliced); ``("aggregate", build, {name: aggregate})`` —
    one aggregate's value.  ``SELECT (<count>), ARRAY(<list>), (<aggregate>)``: a page's count,
    its ids and a figure it needs in one round trip instead of three.  The first call reads
    each part as Django does and keeps the statement only when it gives the same values of
    the same types."""

    def each():
        return [evaluate(queryset) for queryset, evaluate, _wrapper in map(_part, parts)]

    if _mode() == "off":
        return each()
    memo_key = ("together", *key)
    entry = _recall(memo_key)
    if entry is None:
        # Django's own reading of each part is bookkeeping of the first use (left out of the
        # debug log, so a page counts the same queries on its first request as later); the
        # one statement is the page's query.
        with _unlogged():
            values, statement, model = _together(parts, run=True)
        if statement is None:
            _remember(memo_key, _NOT_KEPT)
            return each()
        entry = _PreparedScalar(model, statement, None)
        keep = _same(list(_fetch(entry, ())[0]), values)
        _remember(memo_key, entry if keep else _NOT_KEPT)
        return values
    if entry is _NOT_KEPT:
        return each()
    if _mode() == "check":
        _same_statement(entry.statement, _together(parts, run=False)[1], (), key)
    return list(_fetch(entry, ())[0])


class PreparedList:
    """What a paginator pages through when the list's SQL depends only on ``key``: its count
    and each page (a slice) are prepared queries of ``build()``.

    With ``page_size``, a short last page (the paginator cuts its slice at the count) is read
    as a whole page and cut here: one statement per page whatever the count, not a new one
    every time a row is added or removed.  ``read_page(start, *also)`` reads the count, the
    page from ``start`` and further values in one statement (``prepared_together``; a flat
    ``values_list`` only): the paginator's count and that page then come from it."""

    ordered = True  # build() is ordered: the paginator need not warn

    def __init__(self, key: tuple, build, page_size: int | None = None):
        self.key, self.build, self.page_size = key, build, page_size
        self._read = None  # (count, start, rows) of read_page

    def read_page(self, start: int, *also) -> list:
        """The count and the rows of the page from ``start`` read together with ``also``
        (parts of ``prepared_together``, keyed with this list); returns the values of ``also``."""
        stop = start + self.page_size

        def page():
            return self.build()[start:stop]

        count, rows, *values = prepared_together(
            (*self.key, "page", start, stop), ("count", self.build), ("list", page), *also
        )
        self._read = (count, start, rows)
        return values

    def count(self) -> int:
        if self._read is not None:
            return self._read[0]
        return prepared_count(self.key, self.build)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step is not None:
            raise TypeError("a prepared list is read by slices")
        start, stop = item.start or 0, item.stop
        if self._read is not None and self._read[1] == start and stop is not None and stop - start <= self.page_size:
            return self._read[2][: stop - start]
        if stop is not None and self.page_size and stop - start < self.page_size:
            read = start + self.page_size
            return list(prepared((*self.key, "slice", start, read), lambda: self.build()[start:read]))[: stop - start]
        return list(prepared((*self.key, "slice", start, stop), lambda: self.build()[start:stop]))
