"""API rate limits (a module of its own: DRF settings import it, so it must not import
rest_framework.views)."""

from rest_framework import throttling

from core.cache import redis_client, through_breaker


class FixedWindowThrottle(throttling.SimpleRateThrottle):
    """Rate limit with one counter per client and window (O(1) per request), instead of
    DRF's per-request timestamp list, which grows with the rate and makes every request
    of a busy client slower.  On Redis the counter is created-with-expiry and incremented
    in one round trip (a pipeline); with Redis down every request is allowed (the cache
    degrades, the API keeps working)."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        window = int(self.timer() // self.duration)
        key = f"{ident}:{window}"
        count = self._count(key)
        self.wait_seconds = self.duration - (self.timer() % self.duration)
        return count <= self.num_requests

    def _count(self, key: str) -> int:
        client = redis_client(self.cache)
        if client is None:
            self.cache.add(key, 0, self.duration + 1)
            return self.cache.incr(key)

        def count() -> int:
            raw = self.cache.make_and_validate_key(key)
            pipe = client.pipeline(transaction=False)
            pipe.set(raw, 0, nx=True, ex=self.duration + 1)
            pipe.incr(raw)
            return pipe.execute()[1]

        # Redis skipped (its breaker open) or down: the request is allowed.
        return through_breaker("throttle", count, 1, self.cache)

    def wait(self):
        return getattr(self, "wait_seconds", None)


class AnonThrottle(FixedWindowThrottle, throttling.AnonRateThrottle):
    pass


class UserThrottle(FixedWindowThrottle, throttling.UserRateThrottle):
    pass
