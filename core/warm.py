"""A server process's start: what every request would build lazily is built once, then the
garbage collector is told that everything alive now lives for the process (``gc.freeze``).

Why: a Django process holds ≈ 200,000 objects the collector tracks (modules, URL patterns,
compiled templates, the apps' registries); a full collection walks all of them — ≈ 100 ms
every hundred or so requests, ≈ 1 ms per request on average — to find that nothing there is
garbage.  Frozen, they are never walked again; the request's own objects are collected as
before (bench/load/gc_probe.py measures both ways in one run).  Called by config/wsgi.py,
i.e. in each gunicorn worker after its fork (no ``--preload``), so nothing is shared."""

import gc

# the templates every page renders (its frame) and the lists: compiled now, not on
# the first request that needs them
TEMPLATES = ("base.html", "home.html", "core/object_list.html", "core/object_list_wide.html", "core/table.html")


def warm() -> None:
    from django.template.loader import get_template
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.reverse_dict  # noqa: B018  (populates every pattern, namespace and reverse entry)
    for name in TEMPLATES:
        get_template(name)


def warm_and_freeze() -> int:
    """Warm the process, collect what start-up left, freeze the rest; the number of objects
    frozen."""
    warm()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
