"""SQLite (the embedded default of `make run`): LOWER() and UPPER() that know Cyrillic.

SQLite's own only fold ASCII, so a lookup that compares ``Lower(field)`` with «математика»
would never match «Математика» there; PostgreSQL folds by the database's locale."""


def unicode_case_functions(sender=None, connection=None, **kwargs) -> None:
    if connection is None or connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("LOWER", 1, lambda s: s.lower() if isinstance(s, str) else s, deterministic=True)
    raw.create_function("UPPER", 1, lambda s: s.upper() if isinstance(s, str) else s, deterministic=True)
