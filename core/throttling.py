"""API rate limits (a module of its own: DRF settings import it, so it must not import
rest_framework.views)."""

from rest_framework import throttling


class FixedWindowThrottle(throttling.SimpleRateThrottle):
    """Rate limit with one counter per client and window (``cache.incr``: O(1) per request),
    instead of DRF's per-request timestamp list, which grows with the rate and makes every
    request of a busy client slower."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        window = int(self.timer() // self.duration)
        key = f"{ident}:{window}"
        self.cache.add(key, 0, self.duration + 1)
        count = self.cache.incr(key)
        self.wait_seconds = self.duration - (self.timer() % self.duration)
        return count <= self.num_requests

    def wait(self):
        return getattr(self, "wait_seconds", None)


class AnonThrottle(FixedWindowThrottle, throttling.AnonRateThrottle):
    pass


class UserThrottle(FixedWindowThrottle, throttling.UserRateThrottle):
    pass
