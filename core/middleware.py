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
