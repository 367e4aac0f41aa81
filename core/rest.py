"""Pagination and the error body of the REST API (imported by DRF settings, so this module
must not import viewsets)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, pagination, renderers, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Forbidden, Frozen, Refused


class FileRenderer(renderers.BaseRenderer):
    """Content negotiation for actions that answer with a file (a PDF, a .docx, an .xlsx): a
    client that asks for the document's type (``Accept: application/pdf``) gets the document
    instead of 406.  The file itself is a Django ``FileResponse`` (no rendering); an error on
    the way (404, 403) is written as the API's JSON error body."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | bytearray):
            return bytes(data)
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return renderers.JSONRenderer().render(data)


# The renderers of a file-download action: JSON when asked for (or for */*), the file otherwise.
FILE_RENDERERS = [renderers.JSONRenderer, FileRenderer]


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500  # larger requests are clamped; malformed ones fall back to the default


class Conflict(exceptions.APIException):
    """409: the record's workflow has frozen it (``core.errors.Frozen``)."""

    status_code = 409
    default_detail = _lazy("The record cannot be changed in its present state.")
    default_code = "frozen"


class RefusedRequest(exceptions.APIException):
    """400: what cannot be done as things stand (``core.errors.Refused``), with the reasons."""

    status_code = 400
    default_detail = _lazy("The request cannot be carried out as things stand.")
    default_code = "refused"


def exception_handler(exc, context):
    """Every API error is ``{"detail": ..., "code": ..., ["errors": {...}]}`` in the request's
    language: the one mapping of the services' errors (core/errors.py) to API answers."""
    if isinstance(exc, Frozen):
        exc = Conflict(str(exc))
    elif isinstance(exc, Forbidden):
        exc = exceptions.PermissionDenied(" ".join(exc.messages), code="forbidden")
    elif isinstance(exc, Refused):
        exc = RefusedRequest(str(exc))
    elif isinstance(exc, IntegrityError):
        # A constraint a serializer did not say first (a race between two requests): the
        # write was rolled back with its transaction; the client hears why, not a 500.
        exc = Conflict(_("The record conflicts with one already saved (it may exist already)."), code="conflict")
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
