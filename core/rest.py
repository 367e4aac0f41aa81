"""Pagination and the error body of the REST API (imported by DRF settings, so this module
must not import viewsets)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers, throttling
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500  # larger requests are clamped; malformed ones fall back to the default


def exception_handler(exc, context):
    """Every API error is ``{"detail": ..., "code": ..., ["errors": {...}]}`` in the request's language."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _("Invalid input."), "code": "invalid", "errors": data}
    elif isinstance(data, dict) and "detail" in data:
        detail = data["detail"]
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    return response


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
