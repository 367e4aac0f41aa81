"""A Redis cache that degrades instead of failing: when Redis is down, reads miss and
writes are dropped (and logged), so pages and the API keep working; only throttling and
cached figures are lost until it is back."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _tolerant(method_name: str, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(TolerantRedisCache, self), method_name)(*args, **kwargs)
        except (RedisError, OSError) as exc:
            logger.warning("cache unavailable (%s): %s", method_name, exc)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = method_name
    return method


class TolerantRedisCache(RedisCache):
    get = _tolerant("get", lambda key, default=None, version=None: default)
    get_many = _tolerant("get_many", {})
    set = _tolerant("set", None)
    add = _tolerant("add", False)
    set_many = _tolerant("set_many", [])
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", None)
    touch = _tolerant("touch", False)
    has_key = _tolerant("has_key", False)
    incr = _tolerant("incr", lambda key, delta=1, version=None: delta)
    clear = _tolerant("clear", None)
