from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    """Russian first: the interface language is the one the person chose (language cookie
    from the switcher, else their profile's language), never guessed from the browser —
    a municipal PC with an English browser still gets the Russian portal.  API clients may
    ask for English with Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            user = getattr(request, "user", None)
            language = getattr(user, "language", None) if user is not None and user.is_authenticated else None
        if request.path.startswith("/api/") and language not in self.supported:
            language = translation.get_language_from_request(request)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ErrorPagesMiddleware:
    """The portal's own 403, 404 and 500 pages also where Django would show its technical
    pages (``DEBUG`` on, as in ``make run``): a person meets a Russian page in the portal's
    layout with a way back, never Django's English debug page.  ``OPORA_DEBUG_ERROR_PAGES =
    False`` gives a developer the technical pages back (tracebacks are logged either way).

    With ``DEBUG`` off Django calls ``handler403``/``handler404``/``handler500`` itself
    (config/urls.py); this middleware only stands in for them in ``DEBUG``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def active(self) -> bool:
        return settings.DEBUG and getattr(settings, "OPORA_DEBUG_ERROR_PAGES", True)

    def __call__(self, request):
        response = self.get_response(request)
        if (
            self.active()
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and not getattr(response, "opora_error_page", False)
        ):
            # No URL matched: Django's technical 404 page (DEBUG) becomes the portal's.
            from core.views import page_not_found

            return page_not_found(request)
        return response

    def process_exception(self, request, exception):
        if not self.active():
            return None
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        from core.views import page_not_found, permission_denied, server_error

        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        if request.path.startswith("/api/"):
            return None  # the API's own exception handler answers in JSON
        import logging
        import sys

        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.path, exc_info=sys.exc_info(), extra={"status_code": 500}
        )
        return server_error(request)
