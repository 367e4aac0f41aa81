"""Every list endpoint of the API, dumped: the same answers before and after a change that
only optimises (the bodies byte for byte, and the status and headers a client reads).

For each list route of ``/api/v1/`` (every app's router), as the benchmark's coordinator and
its curator (token auth, the cache off): the plain list, pages (2, 3 of 7, past the end, a bad
number, a page size over the maximum), every ordering field both ways, every filter of its
FilterSet with a value taken from the data (a choice, yes/no, a number, a row's value), a
filter with an ordering and a page, a bad filter value, ``?format=json``, English.  One file
per request: status, Content-Type, ETag, Vary, Allow, Content-Language, then the body.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench .venv/bin/python bench/load/api_dump.py /tmp/api-after
    DATABASE_URL=… .venv/bin/python bench/load/api_dump.py --root /tmp/before /tmp/api-before
    diff -r /tmp/api-before /tmp/api-after

Uses the dataset of bench/reports (built if missing)."""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
CODE = Path(sys.argv[sys.argv.index("--root") + 1]).resolve() if "--root" in sys.argv else ROOT
sys.path.insert(0, str(ROOT / "bench" / "reports"))
sys.path.insert(0, str(CODE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opora_bench")
os.environ["OPORA_CACHE_ENABLED"] = "0"
import run as _reports_bench  # noqa: E402,F401  (the production environment)

if CODE != ROOT:
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT]
    sys.path.insert(0, str(CODE))
    os.chdir(CODE)

HEADERS = ("Content-Type", "ETag", "Vary", "Allow", "Content-Language")


def list_routes() -> list[tuple[str, type]]:
    """(path, viewset) of every ``<basename>-list`` route of the apps' API routers."""
    from importlib import import_module

    from django.conf import settings

    routes = []
    for app in settings.OPORA_APPS:
        try:
            module = import_module(f"{app}.api.urls")
        except ModuleNotFoundError:
            continue
        for pattern in module.urlpatterns:
            cls = getattr(pattern.callback, "cls", None)
            actions = getattr(pattern.callback, "actions", {}) or {}
            if cls is None or actions.get("get") != "list" or (pattern.name or "").endswith("-detail"):
                continue
            route = str(pattern.pattern).lstrip("^").rstrip("$")
            if "<" in route or "(?P" in route:
                continue
            routes.append(("/api/v1/" + route, cls))
    return routes


def first_value(rows: list[dict], name: str):
    for row in rows:
        value = row.get(name)
        if value not in (None, "", []):
            return value.get("id") if isinstance(value, dict) else value
    return None


def filter_values(cls, rows: list[dict]) -> list[dict]:
    """One query per filter of the viewset's FilterSet, with a value the data has."""
    import django_filters as filters

    filterset = getattr(cls, "filterset_class", None)
    if filterset is None:
        return []
    queries = []
    for name, flt in filterset.base_filters.items():
        value = first_value(rows, name)
        if isinstance(flt, filters.ChoiceFilter):
            choices = flt.extra.get("choices") or []
            choices = list(choices() if callable(choices) else choices)
            values = [c[0] for c in choices if c[0] not in ("", None)][:2]
        elif isinstance(flt, filters.BooleanFilter):
            values = ["true", "false"]
        elif isinstance(flt, filters.NumberFilter):
            values = [value if isinstance(value, int | float) and not isinstance(value, bool) else 1, 50]
        elif value is not None:
            values = [value]
        else:
            values = ["1"]
        queries += [{name: v} for v in values]
    return queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--root", help="the checkout whose code answers (default: this one)")
    args = parser.parse_args()
    from run import setup_django

    setup_django()
    from django.test import Client
    from run import build_dataset

    from accounts.models import ApiToken, User

    _muni, coordinator, _year = build_dataset()
    users = {"coordinator": coordinator}
    curator = User.objects.filter(role="curator").order_by("id").first()
    if curator is not None:
        users["curator"] = curator
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for who, user in users.items():
        _t, key = ApiToken.issue(user, read_only=True)
        client = Client(
            raise_request_exception=False,
            HTTP_X_FORWARDED_PROTO="https",
            SERVER_NAME="127.0.0.1",
            HTTP_AUTHORIZATION=f"Token {key}",
        )
        for path, cls in list_routes():
            first = client.get(path)
            rows = first.json().get("results", []) if first.status_code == 200 else []
            queries: list[dict] = [
                {},
                {"page": 2},
                {"page": 3, "page_size": 7},
                {"page": 999},
                {"page": "x"},
                {"page_size": 1000},
                {"format": "json"},
            ]
            for field in getattr(cls, "ordering_fields", None) or []:
                queries += [{"ordering": field}, {"ordering": f"-{field}", "page": 2, "page_size": 5}]
            filtered = filter_values(cls, rows)
            queries += filtered
            if filtered:
                ordering = (getattr(cls, "ordering_fields", None) or ["id"])[0]
                queries.append({**filtered[0], "ordering": f"-{ordering}", "page_size": 3, "page": 2})
                queries.append({next(iter(filtered[0])): "\u2028<bad>"})
            for query in queries:
                for lang in ("ru", "en"):
                    if lang == "en" and query not in ({}, {"page": 999}):
                        continue
                    url = path + ("?" + urlencode(query) if query else "")
                    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
                    head = [f"{response.status_code} {url} [{lang}]"]
                    head += [f"{h}: {response[h]}" for h in HEADERS if response.has_header(h)]
                    name = re.sub(r"[^a-z0-9]+", "_", path.removeprefix("/api/v1/").lower()).strip("_")
                    digest = hashlib.blake2b(f"{url} {lang}".encode(), digest_size=6).hexdigest()
                    body = response.content.decode()
                    if response["Content-Type"].startswith("application/json"):
                        body = body.replace(key, "<token>")
                    (out / f"{who}__{name}__{digest}.txt").write_text("\n".join(head) + "\n\n" + body)
                    written += 1
    print(f"{written} answers written to {out}")


if __name__ == "__main__":
    main()
