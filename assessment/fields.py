"""A column of many values packed into one cell, for bulk rows kept but rarely read."""

from __future__ import annotations

import json

from django.db import models


class PackedColumn(models.Field):
    """One column of many rows in one cell: a PostgreSQL array (``array_agg`` builds it,
    ``unnest`` restores the rows, TOAST compresses it), or a JSON list on other databases
    (``json_group_array`` in SQLite).  The Python value is a list."""

    description = "A list of values stored as an array (PostgreSQL) or JSON text"

    def __init__(self, *args, pg_type: str = "text", **kwargs):
        self.pg_type = pg_type
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["pg_type"] = self.pg_type
        return name, path, args, kwargs

    def db_type(self, connection) -> str:
        return f"{self.pg_type}[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None or connection.vendor == "postgresql":
            return value
        return json.dumps(list(value), ensure_ascii=False)

    def from_db_value(self, value, expression, connection):
        return json.loads(value) if isinstance(value, str) else value

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) else value
