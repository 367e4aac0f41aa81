"""Reads from a streaming replica, writes and a writer's own reads on the primary.

With ``DATABASE_REPLICA_URL`` set, the ``replica`` database is a PostgreSQL hot standby of
``default`` (streaming replication) and ``ReplicaRouter`` sends to it the reads of the
portal's data (the Opora apps: schools, curators, roadmaps, events, assessment, reports,
…) made by a page or document request (GET / HEAD).  Everything else reads the primary:

- writes, and every read inside a transaction on the primary (a service's save-then-check);
- requests that change something (POST, PATCH, …: a form validates against current data);
- a person's requests for ``DATABASE_REPLICA_PIN_SECONDS`` after a request of theirs that
  wrote (the pin is kept in the cache, so every web process sees it; with the cache
  unreachable everybody reads the primary): they see their own write at once, whatever
  the replica's lag;
- users, tokens, sessions, login throttling and the beat schedule (accounts and the
  framework's apps): a freshly issued token or a changed password works at once;
- Celery tasks (an import, the analysis, a document built in the background: they read
  what the request that queued them has just written);
- while the replica cannot be reached (checked when a request first needs it; then it is
  not tried for ``DATABASE_REPLICA_RETRY_SECONDS``).

The generation cache (core/cache.py) and the replica: a value computed from the replica
may miss a write committed a moment ago under the generation that write moved to, so such
a value lives ``DATABASE_REPLICA_CACHE_SECONDS`` only, and a pinned person's requests
neither read nor write the cache.
"""

from __future__ import annotations

import contextvars
import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import OperationalError
from django.utils.functional import SimpleLazyObject

logger = logging.getLogger(__name__)

REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# The request being served by this thread (set by ReplicaMiddleware), or None (a task, a
# command, a test without a request).
_request: contextvars.ContextVar = contextvars.ContextVar("opora_db_request", default=None)
_down_until = [0.0]


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def pin_seconds() -> float:
    return getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 10)


def _replica_apps() -> frozenset[str]:
    return frozenset(settings.OPORA_APPS)


def _pin_key(user_id) -> str:
    return f"replica-pin:{user_id}"


def known_user(request):
    """The request's user if already known, without resolving the lazy one (resolving it
    reads the generation, which asks whether the request is pinned)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = request.__dict__.get("_cached_user")
    return user


def pinned(request) -> bool:
    """Whether the person behind ``request`` wrote within the last pin seconds (or the
    cache cannot say: then, to be safe, yes).  Memoised on the request per user."""
    user = known_user(request)
    if user is None or not user.is_authenticated:
        return False
    memo = getattr(request, "_opora_pinned", None)
    if memo is not None and memo[0] == user.pk:
        return memo[1]
    from core import cache as portal_cache

    breaker = portal_cache.breaker_for()
    if breaker is None or breaker.is_open:  # no shared cache, or it cannot be reached
        answer = True
    else:
        answer = portal_cache.cache.get(_pin_key(user.pk)) is not None or breaker.is_open
    request._opora_pinned = (user.pk, answer)
    return answer


def pin(user_id) -> None:
    """The person just wrote: their reads go to the primary for the pin seconds."""
    from core import cache as portal_cache

    portal_cache.cache.set(_pin_key(user_id), 1, pin_seconds())


def cache_bypassed() -> bool:
    """A pinned person's request neither reads nor writes the generation cache: a value
    cached from the replica might not show their write yet."""
    request = _request.get()
    return request is not None and replica_configured() and pinned(request)


def reading_replica() -> bool:
    """Whether this thread's request reads (some of) its data from the replica."""
    request = _request.get()
    return request is not None and getattr(request, "_opora_replica", False)


def _replica_reachable() -> bool:
    if time.monotonic() < _down_until[0]:
        return False
    try:
        connections[REPLICA].ensure_connection()
        return True
    except OperationalError as exc:
        _down_until[0] = time.monotonic() + getattr(settings, "DATABASE_REPLICA_RETRY_SECONDS", 30)
        logger.warning("replica unreachable: %s; reading the primary meanwhile", exc)
        return False


def _use_replica(model) -> bool:
    request = _request.get()
    if request is None or request.method not in SAFE_METHODS:
        return False
    if model._meta.app_label not in _replica_apps():
        return False
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return False
    decided = getattr(request, "_opora_replica_decided", None)
    user = known_user(request)
    user_id = user.pk if user is not None and user.is_authenticated else None
    if decided is not None and decided[0] == user_id:
        return decided[1]
    use = not pinned(request) and _replica_reachable()
    request._opora_replica_decided = (user_id, use)
    if use:
        request._opora_replica = True
    return use


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry when a replica is configured (see the module's doc)."""

    def db_for_read(self, model, **hints):
        return REPLICA if _use_replica(model) else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's WAL


class ReplicaMiddleware:
    """Makes the request visible to the router, and pins a person to the primary after a
    request of theirs wrote a portal table (core.cache's write hook tells)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        request._opora_wrote = False
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if request._opora_wrote and replica_configured():
            user = known_user(request)
            if user is not None and user.is_authenticated:
                pin(user.pk)
        return response


def note_write() -> None:
    """Called by core.cache's write hook for every write of a portal table."""
    request = _request.get()
    if request is not None:
        request._opora_wrote = True
