"""Pagination and the error body of the REST API (imported by DRF settings, so this module
must not import viewsets)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, pagination, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Frozen


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500  # larger requests are clamped; malformed ones fall back to the default


class Conflict(exceptions.APIException):
    """409: the record's workflow has frozen it (``core.errors.Frozen``)."""

    status_code = 409
    default_detail = _lazy("The record cannot be changed in its present state.")
    default_code = "frozen"


def exception_handler(exc, context):
    """Every API error is ``{"detail": ..., "code": ..., ["errors": {...}]}`` in the request's
    language: the one mapping of the services' errors (core/errors.py) to API answers."""
    if isinstance(exc, Frozen):
        exc = Conflict(str(exc))
    elif isinstance(exc, DjangoValidationError):
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
