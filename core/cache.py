"""The portal's cache.

``TolerantRedisCache``: a Redis cache that degrades instead of failing — when Redis is
down, reads miss and writes are dropped (and logged), so pages and the API keep working;
only throttling and cached figures are lost until it is back.

A **circuit breaker** (``CircuitBreaker``, one per Redis location and process) keeps an
unreachable Redis from costing every cache call its connect timeout: after a failure to
reach it, Redis is not tried for ``OPORA_CACHE_RETRY_SECONDS`` (pages come from the
database), then one call tries again.  The outage is logged once when it starts and once
when it ends.  What could not be written meanwhile is made good on the way back: the data
generation moves on (the writes made while it was skipped), and the keys whose set or
delete was dropped are deleted (a session signed out meanwhile must not come back).

The **data generation**: one counter in the cache that every committed write of the
portal's tables moves on.  Cached figures, page fragments and API responses carry the
generation in their key, so a write makes every one of them a miss at once — no list of
keys to delete, no fragment that outlives the data it shows.  Writes are noticed at the
SQL level (``write_hook``, installed on every database connection by ``CoreConfig``):
INSERT / UPDATE / DELETE / TRUNCATE of a table of the Opora apps, whether it came from
``save()``, ``queryset.update()``, ``bulk_create`` or a service's raw SQL.  Inside a
transaction the generation moves at the first write (so the writer's own later reads
never meet a value cached before it) and again on commit (so a value cached from the old
data while the transaction ran is never read under the current generation); a connection
whose transaction has written and not committed yet bypasses the cache altogether.

Cached values also have a lifetime (``OPORA_CACHE_SECONDS``): the bound on staleness for
what the generation cannot see — the clock (an event that has just ended) and writes made
outside Django (psql by hand)."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils import timezone, translation
from django.utils.connection import ConnectionProxy
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core import policy

logger = logging.getLogger(__name__)

# Redis could not be reached (refused, unreachable, timed out) — as opposed to an error
# Redis answered with, which says it is there.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# --- The circuit breaker -------------------------------------------------------------------

_clock = time.monotonic  # the tests move it on
STALE_KEYS_MAX = 10_000


def retry_seconds() -> float:
    """How long Redis is skipped after a failure to reach it (0: never skipped)."""
    return getattr(settings, "OPORA_CACHE_RETRY_SECONDS", 30)


class CircuitBreaker:
    """Closed: calls go to Redis.  Open (after a failure to reach it): calls are skipped
    until ``retry_seconds()`` have passed, then one caller is let through to try (the
    others keep skipping); its success closes the breaker, its failure opens it again."""

    def __init__(self):
        self._lock = threading.Lock()
        self._down_since: float | None = None  # None: closed
        self._retry_at = 0.0
        self.bump_owed = False  # portal writes were made while the generation could not move
        self.stale: set[str] = set()  # keys (as stored) whose set/delete was dropped

    @property
    def is_open(self) -> bool:
        return self._down_since is not None

    def owes(self) -> bool:
        return self.bump_owed or bool(self.stale)

    def allow(self) -> bool:
        if self._down_since is None:
            return True
        with self._lock:
            now = _clock()
            if self._down_since is None:
                return True
            if now < self._retry_at:
                return False
            self._retry_at = now + retry_seconds()  # this caller is the one that tries
            return True

    def failed(self, where: str, exc: BaseException) -> None:
        seconds = retry_seconds()
        if seconds <= 0:
            logger.warning("cache unavailable (%s): %s", where, exc)
            return
        with self._lock:
            now = _clock()
            first = self._down_since is None
            if first:
                self._down_since = now
            self._retry_at = now + seconds
        if first:
            logger.warning(
                "cache unreachable (%s): %s; not used for %s s at a time until it answers "
                "(pages are served from the database)",
                where,
                exc,
                seconds,
            )

    def succeeded(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            down = _clock() - self._down_since
            self._down_since, self._retry_at = None, 0.0
        logger.warning("cache reachable again after %.0f s", down)

    def note_stale(self, keys) -> None:
        with self._lock:
            room = STALE_KEYS_MAX - len(self.stale)
            self.stale.update(list(keys)[: max(room, 0)])

    def take_stale(self) -> list[str]:
        with self._lock:
            keys, self.stale = list(self.stale), set()
        return keys


_breakers: dict[tuple, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(cache_backend=None) -> CircuitBreaker | None:
    """The breaker of the (default) cache's Redis, or None when it is not Redis."""
    backend = _backend(cache_backend)
    if not isinstance(backend, RedisCache):
        return None
    key = tuple(backend._servers)
    breaker = _breakers.get(key)
    if breaker is None:
        with _breakers_lock:
            breaker = _breakers.setdefault(key, CircuitBreaker())
    return breaker


def reset_breakers() -> None:
    """Forget every breaker's state (tests)."""
    with _breakers_lock:
        _breakers.clear()


def through_breaker(where: str, call, fallback=None, cache_backend=None, dropped=None):
    """``call()`` against the (default) cache's Redis unless its breaker is open; ``fallback``
    when it is open or Redis fails (then ``dropped(breaker)``, if given, notes what was
    not done).  The first call through after an outage first makes good what was dropped."""
    backend = _backend(cache_backend)
    breaker = breaker_for(backend)
    if not breaker.allow():
        if dropped is not None:
            dropped(breaker)
        return fallback
    try:
        if breaker.owes():
            _make_good(breaker, backend)
        result = call()
    except UNREACHABLE as exc:
        breaker.failed(where, exc)
        if dropped is not None:
            dropped(breaker)
        return fallback
    except RedisError as exc:  # Redis answered: it is there
        logger.warning("cache error (%s): %s", where, exc)
        result = fallback
    breaker.succeeded()
    return result


def _make_good(breaker: CircuitBreaker, backend) -> None:
    """Back from an outage: delete the keys whose set or delete was dropped, and move the
    generation on if this process wrote portal tables meanwhile."""
    client = backend._cache.get_client(write=True)
    keys = breaker.take_stale()
    try:
        for i in range(0, len(keys), 1000):
            client.delete(*keys[i : i + 1000])
    except Exception:
        breaker.note_stale(keys)
        raise
    if breaker.bump_owed:
        _move_generation(client, backend.make_and_validate_key(GENERATION_KEY))
        breaker.bump_owed = False


# Which keys a write method touches: (user keys, version), from the method's arguments.
_WRITTEN = {
    "set": lambda key, value=None, timeout=None, version=None: ([key], version),
    "add": lambda key, value=None, timeout=None, version=None: ([key], version),
    "incr": lambda key, delta=1, version=None: ([key], version),
    "delete": lambda key, version=None: ([key], version),
    "set_many": lambda data, timeout=None, version=None: (list(data), version),
    "delete_many": lambda keys, version=None: (list(keys), version),
}


def _tolerant(method_name: str, fallback):
    written = _WRITTEN.get(method_name)

    def method(self, *args, **kwargs):
        def call():
            return getattr(super(TolerantRedisCache, self), method_name)(*args, **kwargs)

        def dropped(breaker):
            keys, version = written(*args, **kwargs)
            breaker.note_stale(self.make_and_validate_key(k, version=version) for k in keys)

        answer = fallback(*args, **kwargs) if callable(fallback) else fallback
        return through_breaker(method_name, call, answer, self, dropped if written else None)

    method.__name__ = method_name
    return method


class _ReusedClientCache(RedisCacheClient):
    """Django builds a new ``redis.Redis`` object (a dict of ~170 response callbacks) for
    every cache call; keep one per connection pool instead (the same pools, so nothing
    changes but the cost: ≈ 0.2 ms a call)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(index))
        return client


class _OwnKeysRedisCache(RedisCache):
    """``clear()`` deletes this cache's keys only (those under its KEY_PREFIX), never the whole
    Redis database: the same database holds Celery's queues (REDIS_URL serves both), and other
    processes' caches may share it — Django's ``clear()`` is ``FLUSHDB``."""

    def clear(self):
        client = self._cache.get_client(write=True)
        batch = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
        return True


class TolerantRedisCache(_OwnKeysRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClientCache

    get = _tolerant("get", lambda key, default=None, version=None: default)
    get_many = _tolerant("get_many", lambda *args, **kwargs: {})
    set = _tolerant("set", None)
    add = _tolerant("add", False)
    set_many = _tolerant("set_many", lambda *args, **kwargs: [])
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", None)
    touch = _tolerant("touch", False)
    has_key = _tolerant("has_key", False)
    incr = _tolerant("incr", lambda key, delta=1, version=None: delta)
    clear = _tolerant("clear", None)


# --- The data generation -------------------------------------------------------------------

GENERATION_KEY = "generation"  # the global counter: writes whose scope is not known
GENERATION_SECONDS = 86400  # a counter that expires starts again above its last value
_MISSING = object()

# Writes of these models are *scoped*: their rows are read only within the municipality of
# their school (or their owning municipality) — by its people, its curators and the region
# above it — so such a write moves only that municipality's counter, its region's and the
# superuser's (``all``), and the other municipalities' cached pages stay warm.  Every other
# write (schools, orders, statuses, assignments, events open to other municipalities'
# schools, catalogues, users, imports and the analysis, ``queryset.update()``,
# ``bulk_create``, raw SQL) moves the global counter, which every key carries.  Add a model
# here only when no page of another municipality shows its rows.
SCOPED_WRITE_MODELS = (
    "curators.Visit",
    "curators.LessonObservation",
    "curators.Recommendation",
    "roadmaps.SchoolDocument",
    "roadmaps.Roadmap",
    "roadmaps.Goal",
    "roadmaps.Task",
    "roadmaps.Activity",
    "roadmaps.Indicator",
    "roadmaps.IndicatorActual",
    "roadmaps.ProgressReport",
    "roadmaps.ReportEntry",
    "roadmaps.Evidence",
    "roadmaps.ReportTransition",
    "schools.RiskAssessment",
)
ALL = "all"  # the counter of a reader who sees every municipality (superuser)


def _backend(cache_backend=None):
    backend = cache if cache_backend is None else cache_backend
    if isinstance(backend, ConnectionProxy):  # django.core.cache.cache
        backend = caches["default"]
    return backend


def redis_client(cache_backend=None):
    """The raw redis client behind the (default) cache, or None when it is not Redis."""
    backend = _backend(cache_backend)
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True)


def enabled() -> bool:
    """Generation-keyed caching needs a cache shared by every process (Redis): a
    per-process cache would not see the writes of the other workers."""
    return getattr(settings, "OPORA_CACHE_ENABLED", True) and isinstance(_backend(), RedisCache)


def writes_pending(connection=None) -> bool:
    """Whether the connection's open transaction has written Opora tables (not yet committed)."""
    if connection is None:
        from django.db import connection
    if not connection.in_atomic_block:
        return False
    return _pending_of(connection) is not None


def _start_value() -> int:
    # A new counter starts at the clock (µs), above any generation used before it was lost
    # (eviction, FLUSHDB), so an old cached value can never come back under a new key.
    return time.time_ns() // 1000


# Bumps made by this thread: a generation memoised on a request is only reused while the
# thread has written nothing since (a view that writes, then reads, reads afresh).
_local = threading.local()


def _bumps() -> int:
    return getattr(_local, "bumps", 0)


def _counter_key(part: str = "") -> str:
    return cache.make_and_validate_key(f"{GENERATION_KEY}:{part}" if part else GENERATION_KEY)


def _read_generations(parts: tuple[str, ...] = ()) -> tuple[int, ...] | None:
    """The global counter and those of ``parts`` in one round trip (a missing one starts)."""
    client = redis_client()
    keys = [_counter_key(), *(_counter_key(p) for p in parts)]
    raws = client.mget(keys)
    if any(raw is None for raw in raws):
        pipe = client.pipeline(transaction=False)
        for key, raw in zip(keys, raws, strict=True):
            if raw is None:
                pipe.set(key, _start_value(), nx=True, ex=GENERATION_SECONDS)
        pipe.execute()
        raws = client.mget(keys)
    try:
        values = tuple(int(raw) for raw in raws)
    except (TypeError, ValueError) as exc:
        logger.warning("cache: unreadable generation %r: %s", raws, exc)
        return None
    _saw_global(values[0])
    return values


def _read(parts: tuple[str, ...], request) -> tuple[int, ...] | None:
    from core import db

    if writes_pending() or db.cache_bypassed():
        return None
    memo = getattr(request, "_opora_generations", None) if request is not None else None
    if memo is not None and memo.get("bumps") == _bumps() and parts in memo:
        return memo[parts]
    value = None
    if enabled():
        value = through_breaker("generation", lambda: _read_generations(parts))
    if request is not None:
        if memo is None or memo.get("bumps") != _bumps():
            memo = request._opora_generations = {"bumps": _bumps()}
        memo[parts] = value
    return value


def generation(request=None) -> int | None:
    """The current global data generation, or None when values must not be cached or read
    from the cache (Redis down, no shared cache, or this connection has uncommitted
    writes).  Read it before reading the data a cached value is made of.  Memoised on
    ``request`` (one Redis round trip per request) until this thread writes.  What a
    user's pages show also depends on their scope's counters: see ``scope_generation``."""
    values = _read((), request)
    return None if values is None else values[0]


def scope_generation(user, request=None) -> str | None:
    """The generation of what ``user`` sees: the global counter and the counters of the
    municipalities (or the region, or ``all``) their scope rests on, as one string — or
    None when nothing may be cached now (see ``generation``)."""
    values = _read(reader_parts(user), request)
    return None if values is None else ".".join(str(v) for v in values)


def _move_generation(client, key) -> None:
    pipe = client.pipeline(transaction=False)
    pipe.set(key, _start_value(), nx=True, ex=GENERATION_SECONDS)
    pipe.incr(key)
    pipe.execute()


def _move_counters(parts) -> bool:
    """Move the named counters on ("" is the global one) in one round trip."""
    client = redis_client()
    pipe = client.pipeline(transaction=False)
    for part in parts:
        key = _counter_key(part)
        pipe.set(key, _start_value(), nx=True, ex=GENERATION_SECONDS)
        pipe.incr(key)
    pipe.execute()
    if "" in parts:
        breaker_for().bump_owed = False
    return True


def bump(municipalities=None) -> None:
    """Move the data generation on.  Without arguments the global counter: every value
    cached so far becomes a miss.  With ``municipalities`` (pairs of municipality and
    region ids) only what readers of those municipalities, their regions and the
    superuser see."""
    _local.bumps = _bumps() + 1
    if municipalities is None:
        _forget_scopes()
        parts = [""]
    else:
        parts = [ALL]
        for muni, region in municipalities:
            parts += [f"m{muni}", f"r{region}"]
    if not enabled():
        return
    if not through_breaker("bump", lambda: _move_counters(parts), False):
        # Redis skipped or down: nothing can be read from it either.  The move is owed (as
        # a global one) and made as soon as Redis answers again (``_make_good``), so the
        # other processes, which may have reached it all along, stop serving what this
        # write changed; the lifetime bounds the rest.
        breaker_for().bump_owed = True


# --- Which municipalities a write touched --------------------------------------------------


class _Pending:
    """What the connection's open transaction has written: scoped rows (references to
    resolve to their municipalities) and whether anything unscoped.  Registered with
    ``on_commit`` at the first write; called once the transaction is committed."""

    def __init__(self):
        self.unscoped = False
        self.refs: set[tuple] = set()

    def __call__(self):
        _flush(self.unscoped, self.refs)


def _pending_of(connection) -> _Pending | None:
    for _sids, func, *_rest in connection.run_on_commit:
        if isinstance(func, _Pending):
            return func
    return None


def _flush(unscoped: bool, refs: set[tuple]) -> None:
    if not unscoped:
        try:
            munis = _resolve(refs)
        except Exception as exc:  # a reference that cannot be resolved: be safe
            logger.warning("cache: scope of a write not resolved (%s); moving the global generation", exc)
            munis = None
        if munis is not None:
            bump(municipalities=munis)
            return
    bump()


def note_write(connection, table: str = "") -> None:
    """A write of an Opora table went through ``connection``."""
    from core import db

    db.note_write()  # the writer's reads stay on the primary for a while (core/db.py)
    if not enabled():  # nothing to invalidate: no need to know whose data it was
        _local.bumps = _bumps() + 1
        return
    refs = _attributed(connection, table)
    if not connection.in_atomic_block:  # autocommit: the write is committed already
        _flush(refs is None, refs or set())
        return
    pending = _pending_of(connection)
    if pending is None:
        pending = _Pending()
        connection.on_commit(pending, robust=True)
    if refs is None:
        pending.unscoped = True
    else:
        pending.refs |= refs


def _attributed(connection, table: str) -> set | None:
    """The scope references of a write of ``table`` made while a scoped model's instance is
    being saved or deleted (its own table or its history's), or None (unscoped)."""
    active = getattr(connection, "_opora_active", None)
    if not active or not active.get(table):
        return None
    refs = set()
    for item in active[table]:
        refs |= item
    return refs


def _scoped_models():
    from django.apps import apps

    return [apps.get_model(label) for label in SCOPED_WRITE_MODELS]


def _tables_of(model) -> list[str]:
    tables = [model._meta.db_table]
    history = getattr(model, "history", None)
    if history is not None and hasattr(history, "model"):
        tables.append(history.model._meta.db_table)
    return tables


_scope_paths: dict[type, tuple] = {}


def _paths_of(model) -> tuple:
    """(kind, attname of the first hop, its model's label, rest of the path) per declared
    scope field of ``model``, computed once."""
    paths = _scope_paths.get(model)
    if paths is None:
        found = []
        for kind, path in (
            ("school", getattr(model, "scope_school_field", None)),
            ("municipality", getattr(model, "scope_municipality_field", None)),
        ):
            if path:
                head, _sep, rest = path.partition("__")
                field = model._meta.get_field(head)
                found.append((kind, field.attname, field.related_model._meta.label, rest))
        paths = _scope_paths[model] = tuple(found)
    return paths


def _refs_of(instance, values=None) -> set[tuple]:
    """Where the instance's scope lives, without a query: a school or municipality id, or
    the first object on the way to it and the rest of the path (``values``: the first hops'
    ids as loaded, else as they are now)."""
    refs = set()
    paths = _paths_of(type(instance))
    if values is None:
        values = [instance.__dict__.get(attname) for _kind, attname, _label, _rest in paths]
    for (kind, _attname, label, rest), pk in zip(paths, values, strict=True):
        if pk is not None:
            refs.add((kind, pk) if not rest else (label, pk, rest, kind))
    return refs


def _remember_loaded(sender, instance, **kwargs) -> None:
    # The first hops' ids the row had when loaded (a few dict reads: this runs for every
    # instance loaded); a save that moves the row elsewhere touches both scopes.
    instance._opora_scope_loaded = [instance.__dict__.get(p[1]) for p in _paths_of(sender)]


def _begin(sender, instance, **kwargs) -> None:
    from django.db import connections, router

    connection = connections[router.db_for_write(sender, instance=instance)]
    loaded = instance.__dict__.get("_opora_scope_loaded")
    refs = _refs_of(instance) | (_refs_of(instance, loaded) if loaded is not None else set())
    if not refs:
        return
    active = connection.__dict__.setdefault("_opora_active", {})
    for table in _tables_of(sender):
        active.setdefault(table, []).append(frozenset(refs))
    instance._opora_scope_begun = (connection, frozenset(refs))


def _end(sender, instance, **kwargs) -> None:
    begun = instance.__dict__.pop("_opora_scope_begun", None)
    if begun is None:
        return
    connection, refs = begun
    active = connection.__dict__.get("_opora_active", {})
    for table in _tables_of(sender):
        stack = active.get(table)
        if stack and refs in stack:
            stack.remove(refs)
    _remember_loaded(sender, instance)


def forget_active(**kwargs) -> None:
    """A save that raised never sent ``post_save``: what it left on the connections is
    dropped when a request or a task starts."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.__dict__.pop("_opora_active", None)


def install_scoped_writes() -> None:
    """Connect the signals that attribute a scoped model's writes to its scope.  Django
    calls receivers in the order they were connected: django-simple-history's (which
    writes the history row) were connected when the models were prepared, so ``_end``
    runs after them and the history row is attributed too (tested)."""
    from django.db.models import signals

    for model in _scoped_models():
        uid = f"opora-scope-{model._meta.label}"
        signals.post_init.connect(_remember_loaded, sender=model, dispatch_uid=uid)
        signals.pre_save.connect(_begin, sender=model, dispatch_uid=uid)
        signals.post_save.connect(_end, sender=model, dispatch_uid=uid)
        signals.pre_delete.connect(_begin, sender=model, dispatch_uid=uid)
        signals.post_delete.connect(_end, sender=model, dispatch_uid=uid)


# Per process: school → (municipality, region), municipality → region, curator → their
# assignments' municipalities.  Forgotten whenever the global generation moves (schools,
# municipalities and assignments are written only by unscoped writes).
_schools: dict[int, tuple[int, int]] = {}
_municipalities: dict[int, int] = {}
_curators: dict[tuple, tuple[str, ...]] = {}
_seen_global: list[int | None] = [None]


def _forget_scopes() -> None:
    _schools.clear()
    _municipalities.clear()
    _curators.clear()


def _saw_global(value: int) -> None:
    if _seen_global[0] != value:
        _seen_global[0] = value
        _forget_scopes()


def _school_scopes(ids) -> dict[int, tuple[int, int]]:
    missing = [i for i in ids if i not in _schools]
    if missing:
        _schools.update(policy.school_places(missing))
    return {i: _schools[i] for i in ids if i in _schools}


def _municipality_regions(ids) -> dict[int, int]:
    missing = [i for i in ids if i not in _municipalities]
    if missing:
        _municipalities.update(policy.municipality_regions(missing))
    return {i: _municipalities[i] for i in ids if i in _municipalities}


def _resolve(refs: set[tuple]) -> set[tuple[int, int]] | None:
    """(municipality, region) pairs of the references, or None when one cannot be resolved
    (its row is gone): then the write counts as unscoped."""
    from django.apps import apps

    schools, munis, paths = set(), set(), {}
    for ref in refs:
        if len(ref) == 2:
            (schools if ref[0] == "school" else munis).add(ref[1])
        else:
            label, pk, rest, kind = ref
            paths.setdefault((label, rest, kind), set()).add(pk)
    for (label, rest, kind), pks in paths.items():
        rows = dict(apps.get_model(label)._base_manager.filter(pk__in=pks).values_list("pk", rest))
        if set(rows) != pks:
            return None
        (schools if kind == "school" else munis).update(v for v in rows.values() if v is not None)
    found = _school_scopes(schools)
    regions = _municipality_regions(munis)
    if len(found) != len(schools) or len(regions) != len(munis):
        return None
    return set(found.values()) | set(regions.items())


def reader_parts(user) -> tuple[str, ...]:
    """The counters (besides the global one) that what ``user`` sees depends on: where their
    view scope rests, as the policy tells it (``scope_reach``)."""
    reach = policy.scope_reach(user)
    if not reach:
        return ()
    kind, *rest = reach
    if kind == "all":
        return (ALL,)
    if kind == "region":
        return (f"r{rest[0]}",)
    if kind == "municipality":
        return (f"m{rest[0]}",)
    if kind == "school":
        scope = _school_scopes([rest[0]]).get(rest[0])
        return (f"m{scope[0]}",) if scope else ()
    if kind == "curator":
        return _curator_parts(user)
    return ()


def _curator_parts(user) -> tuple[str, ...]:
    key = (user.pk, timezone.localdate())
    parts = _curators.get(key)
    if parts is None:
        ids = sorted(set(policy.curated_municipality_ids(user)))  # «whose curator» has one answer
        parts = _curators[key] = tuple(f"m{m}" for m in ids)
    return parts


_WRITE = re.compile(
    r'^\s*(?:WITH\b.*?\b)?(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?"?(\w+)"?',
    re.IGNORECASE | re.DOTALL,
)
_WRITE_HEADS = ("INSERT", "UPDATE", "DELETE", "TRUNCA", "WITH")
# Bookkeeping updates that change nothing a page or an API list shows.
_IGNORED = (
    'UPDATE "accounts_user" SET "last_login" = %s WHERE',
    'UPDATE "accounts_apitoken" SET "last_used" = %s WHERE',
)
_prefixes: tuple[str, ...] | None = None


def _portal_prefixes() -> tuple[str, ...]:
    global _prefixes
    if _prefixes is None:
        _prefixes = tuple(f"{label}_" for label in ["core", "accounts", *settings.OPORA_APPS])
    return _prefixes


def written_table(sql: str) -> str | None:
    """The Opora table an INSERT / UPDATE / DELETE / TRUNCATE writes, else None."""
    head = sql.lstrip()[:6].upper()
    if not head.startswith(_WRITE_HEADS):
        return None
    if sql.startswith(_IGNORED):
        return None
    match = _WRITE.match(sql)
    if not match:
        return None
    table = match.group(1).lower()
    return table if table.startswith(_portal_prefixes()) else None


def is_portal_write(sql: str) -> bool:
    return written_table(sql) is not None


def write_hook(execute, sql, params, many, context):
    """Database execute wrapper: after a successful write of an Opora table, move the
    generation on (see ``note_write``)."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str):
        table = written_table(sql)
        if table is not None:
            note_write(context["connection"], table)
    return result


def install_write_hook(sender=None, connection=None, **kwargs) -> None:
    """``connection_created`` receiver: put the hook first, so that a test's own
    ``execute_wrapper()`` (appended and popped from the end) never removes it."""
    if connection is not None and write_hook not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, write_hook)


# --- Keys ----------------------------------------------------------------------------------


def scope_key(user) -> str:
    """What decides which data a user sees (the policy's ``scope_key``): users who share it
    see the same figures; users who do not never share a cached value."""
    return policy.scope_key(user)


def fragment_key(name: str, user, *parts, request=None) -> str | None:
    """A key for a cached value of ``name`` as ``user`` sees it today in the active
    language, or None when nothing may be cached now (see ``generation``)."""
    gen = scope_generation(user, request)
    if gen is None:
        return None
    tail = ":".join(str(p) for p in parts)
    if len(tail) > 120:
        tail = hashlib.sha256(tail.encode()).hexdigest()
    lang = translation.get_language() or settings.LANGUAGE_CODE
    return f"{name}:{gen}:{scope_key(user)}:{timezone.localdate().isoformat()}:{lang}:{tail}"


def lifetime() -> int:
    """How long a cached value lives: ``OPORA_CACHE_SECONDS``, or the shorter
    ``DATABASE_REPLICA_CACHE_SECONDS`` for a value computed from the replica (core/db.py),
    which may lag behind the write that moved the generation it is stored under."""
    from core import db

    seconds = getattr(settings, "OPORA_CACHE_SECONDS", 300)
    if db.reading_replica():
        seconds = min(seconds, getattr(settings, "DATABASE_REPLICA_CACHE_SECONDS", 5))
    return seconds


def cached(key: str | None, compute):
    """``compute()``, through the cache when ``key`` is not None."""
    if key is None:
        return compute()
    value = cache.get(key, _MISSING)
    if value is not _MISSING:
        return value
    value = compute()
    cache.set(key, value, lifetime())
    return value
