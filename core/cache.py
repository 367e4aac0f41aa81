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


class TolerantRedisCache(RedisCache):
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

GENERATION_KEY = "generation"
GENERATION_SECONDS = 86400  # a counter that expires starts again above its last value
_MISSING = object()


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
    return any(func is _bump_on_commit for _sids, func, *_rest in connection.run_on_commit)


def _start_value() -> int:
    # A new counter starts at the clock (µs), above any generation used before it was lost
    # (eviction, FLUSHDB), so an old cached value can never come back under a new key.
    return time.time_ns() // 1000


# Bumps made by this thread: a generation memoised on a request is only reused while the
# thread has written nothing since (a view that writes, then reads, reads afresh).
_local = threading.local()


def _bumps() -> int:
    return getattr(_local, "bumps", 0)


def generation(request=None) -> int | None:
    """The current data generation, or None when values must not be cached or read from
    the cache (Redis down, no shared cache, or this connection has uncommitted writes).
    Read it before reading the data a cached value is made of.  Memoised on ``request``
    (one Redis round trip per request) until this thread writes."""
    if writes_pending():
        return None
    if request is not None:
        memo = getattr(request, "_opora_generation", None)
        if memo is not None and memo[1] == _bumps():
            return memo[0]
    value = None
    if enabled():
        value = through_breaker("generation", _read_generation)
    if request is not None:
        request._opora_generation = (value, _bumps())
    return value


def _move_generation(client, key) -> None:
    pipe = client.pipeline(transaction=False)
    pipe.set(key, _start_value(), nx=True, ex=GENERATION_SECONDS)
    pipe.incr(key)
    pipe.execute()


def _read_generation() -> int | None:
    client = redis_client()
    key = cache.make_and_validate_key(GENERATION_KEY)
    raw = client.get(key)
    if raw is None:
        client.set(key, _start_value(), nx=True, ex=GENERATION_SECONDS)
        raw = client.get(key)
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        logger.warning("cache: unreadable generation %r: %s", raw, exc)
        return None


def _write_generation() -> bool:
    _move_generation(redis_client(), cache.make_and_validate_key(GENERATION_KEY))
    breaker_for().bump_owed = False
    return True


def bump() -> None:
    """Move the data generation on: every value cached so far becomes a miss."""
    _local.bumps = _bumps() + 1
    if not enabled():
        return
    if not through_breaker("bump", _write_generation, False):
        # Redis skipped or down: nothing can be read from it either.  The move is owed and
        # made as soon as Redis answers again (``_make_good``), so the other
        # processes, which may have reached it all along, stop serving what this write
        # changed; the lifetime bounds the rest.
        breaker_for().bump_owed = True


def _bump_on_commit() -> None:
    bump()


def note_write(connection) -> None:
    """A write of an Opora table went through ``connection``."""
    if not connection.in_atomic_block:
        bump()  # autocommit: the write is committed already
        return
    if not writes_pending(connection):
        bump()  # the first write of this transaction: immediately …
        connection.on_commit(_bump_on_commit, robust=True)  # … and once it is committed


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


def is_portal_write(sql: str) -> bool:
    head = sql.lstrip()[:6].upper()
    if not head.startswith(_WRITE_HEADS):
        return False
    if sql.startswith(_IGNORED):
        return False
    match = _WRITE.match(sql)
    return bool(match) and match.group(1).lower().startswith(_portal_prefixes())


def write_hook(execute, sql, params, many, context):
    """Database execute wrapper: after a successful write of an Opora table, move the
    generation on (see ``note_write``)."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and is_portal_write(sql):
        note_write(context["connection"])
    return result


def install_write_hook(sender=None, connection=None, **kwargs) -> None:
    """``connection_created`` receiver: put the hook first, so that a test's own
    ``execute_wrapper()`` (appended and popped from the end) never removes it."""
    if connection is not None and write_hook not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, write_hook)


# --- Keys ----------------------------------------------------------------------------------


def scope_key(user) -> str:
    """What decides which data a user sees: their role and the organisation it rests on
    (a curator's scope is their own assignments, so their id).  Users who share it see
    the same figures; users who do not never share a cached value."""
    if not (user and user.is_authenticated and user.is_active):
        return "anon"
    if user.is_superuser:
        return "su"
    if user.role == "curator":
        return f"cur{user.pk}"
    return f"{user.role or '-'}:{user.region_id or 0}:{user.municipality_id or 0}:{user.school_id or 0}"


def fragment_key(name: str, user, *parts, request=None) -> str | None:
    """A key for a cached value of ``name`` as ``user`` sees it today in the active
    language, or None when nothing may be cached now (see ``generation``)."""
    gen = generation(request)
    if gen is None:
        return None
    tail = ":".join(str(p) for p in parts)
    if len(tail) > 120:
        tail = hashlib.sha256(tail.encode()).hexdigest()
    lang = translation.get_language() or settings.LANGUAGE_CODE
    return f"{name}:{gen}:{scope_key(user)}:{timezone.localdate().isoformat()}:{lang}:{tail}"


def lifetime() -> int:
    return getattr(settings, "OPORA_CACHE_SECONDS", 300)


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
