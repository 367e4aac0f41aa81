"""The one error hierarchy of the services, mapped once: to form errors
(``add_service_errors``) and page messages (``service_error_messages``) on the pages, and to
API answers (``core.rest.exception_handler``).  Views and viewsets let a service's error pass
to these; none translates it by hand.

Services raise Django's ``ValidationError`` for bad input (400 in the API, the form's or
the page's messages), :class:`Forbidden` for an action that is not the user's on an object
they may see (403 with the reason in the API, a message on the page), ``PermissionDenied``
for what is out of the user's write scope (403 in the API where the object is visible; the
pages answer 404 for what is out of scope), and :class:`Frozen` for a record whose workflow
has frozen it (submitted, under review, approved): nobody may change or delete it now (409
in the API, a message on the page), and :class:`Refused` for what cannot be done as things
stand (400 «refused» with the reasons).  All three are ``ValidationError``s,
so every place that shows a service's messages shows them too.  A service never raises
``Http404``: the caller looks its objects up in the user's scope and passes them in."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class Frozen(ValidationError):
    """What others have reviewed or signed is not changed or deleted (``str()``: the reason)."""

    def __init__(self, message):
        super().__init__(message, code="frozen")

    def __str__(self) -> str:
        return self.messages[0]


class Forbidden(ValidationError):
    """The action is not the user's to take on an object they see (the school marks a
    recommendation done, its curator closes it): the reason, as a message or a 403."""

    def __init__(self, message=None):
        super().__init__(message or _("You may not change this."), code="forbidden")

    def __str__(self) -> str:
        return self.messages[0]


class Refused(ValidationError):
    """What cannot be done as things stand (a document whose requisites are not filled in):
    the reasons, each saying what to do and where (``str()``: them all, one line); 400
    «refused» in the API."""

    def __init__(self, reasons):
        super().__init__([reasons] if isinstance(reasons, str) else list(reasons), code="refused")

    def __str__(self) -> str:
        return " ".join(self.messages)


def add_service_errors(form, exc: ValidationError, field: str | None = None) -> None:
    """A service's refusal on ``form``: each message on its field; a message about the whole
    (or about a field the form does not show) on ``field``, or above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else field, errors)
    else:
        form.add_error(field, exc)


def error_text(exc: ValidationError) -> str:
    """A service's refusal as one line (an inline note beside a row, a small htmx answer)."""
    return " ".join(str(message) for message in exc.messages)


def service_error_messages(request, exc: ValidationError, lead: str | None = None) -> None:
    """A service's refusal as page messages — one message per error, after an optional
    ``lead`` sentence (``core.generic.ObjectActionView``, and the pages' other POST actions)."""
    if lead:
        messages.error(request, lead)
    for message in exc.messages:
        messages.error(request, message)


__all__ = [
    "Forbidden",
    "Frozen",
    "Refused",
    "ValidationError",
    "add_service_errors",
    "error_text",
    "service_error_messages",
]
