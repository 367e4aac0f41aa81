"""The one error hierarchy of the services, mapped once: to form errors and messages on the
pages (``core.generic``, ``core.views.ServiceActionView``) and to API answers
(``core.rest.exception_handler``).

Services raise Django's ``ValidationError`` for bad input (400 in the API, the form's or
the page's messages), ``PermissionDenied`` for what the user may not do (403 in the API
where the object is visible; the pages answer 404 for what is out of scope), and
:class:`Frozen` for a record whose workflow has frozen it (submitted, under review,
approved): nobody may change or delete it now (409 in the API, a message on the page).
``Frozen`` is a ``ValidationError``, so every place that shows a service's messages shows
it too."""

from django.core.exceptions import ValidationError


class Frozen(ValidationError):
    """What others have reviewed or signed is not changed or deleted (``str()``: the reason)."""

    def __init__(self, message):
        super().__init__(message, code="frozen")

    def __str__(self) -> str:
        return self.messages[0]


__all__ = ["Frozen", "ValidationError"]
