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

from django.db import connections, router


class _Ids:
    """Stands in for the ids while the query is compiled (found again by identity)."""


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
        params = list(self.params)
        params[self.slot] = ids
        connection = connections[router.db_for_read(self.model)]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
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
