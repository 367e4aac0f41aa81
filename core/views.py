import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import cache as portal_cache
from core.dashboard import panels_for
from core.files import resolve_protected_file
from core.redirects import is_own_url, return_url
from core.vision import remember, vision_mode


def _scope_place(user):
    """The school, municipality or region the user's role rests on — the first of them set
    and existing, as ``user.school`` … would read it — through a query compiled once per
    field (core/compiled.py), kept on the user for the rest of the request."""
    from core.compiled import prepared

    for name in ("school", "municipality", "region"):
        field = user._meta.get_field(name)
        pk = getattr(user, field.attname)
        if pk is None:
            continue
        if field.is_cached(user):
            place = getattr(user, name)
        else:
            model = field.related_model
            rows = prepared(
                ("user.place", model._meta.label), lambda pk, model=model: model._base_manager.filter(pk=pk), pk
            )
            place = rows[0] if rows else None
            if place is not None:
                field.set_cached_value(user, place)
        if place is not None:
            return place
    return None


def _scope_label(user) -> str:
    """«Role: … · school / municipality / region» under the greeting (part of the scope)."""
    return render_to_string("_home_scope.html", {"user": user, "place": _scope_place(user) if user.role else None})


@login_required
def home(request):
    user = request.user
    label = portal_cache.cached(
        portal_cache.fragment_key("home-scope", user, request=request), lambda: _scope_label(user)
    )
    return render(request, "home.html", {"panels": panels_for(user, request), "scope_label": label})


@login_required
def api_guide(request):
    return render(request, "api_guide.html", {"site_url": settings.SITE_URL.rstrip("/")})


@require_POST
def vision(request):
    """Turn the version for the visually impaired on or off or change one of its choices
    (the buttons of the header and of the settings bar), then go back to the page."""
    mode = vision_mode(request).changed(request.POST)
    response = redirect(return_url(request, "/"))
    remember(request, response, mode)
    return response


@never_cache
def healthz(request):
    """Liveness for the load balancer: the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": False}, status=503)
    return JsonResponse({"status": "ok", "database": True})


@login_required
def protected_file(request, name: str):
    """Serve an uploaded file only if the object that owns it is within the user's scope."""
    if not resolve_protected_file(request.user, name):
        raise Http404
    path = (Path(settings.MEDIA_ROOT) / name).resolve()
    if not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve()) or not path.is_file():
        raise Http404
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type=content_type)


def back_url(request) -> str | None:
    """Where «back» leads from an error page: the page the reader came from, if it is one of
    the portal's own (never another host), and not the failing address itself."""
    referer = request.META.get("HTTP_REFERER", "")
    if not is_own_url(request, referer):
        return None
    from urllib.parse import urlsplit

    if urlsplit(referer).path == request.path:
        return None
    return referer


def error_page(request, status: int):
    """The portal's 403 and 404 pages: Russian, in the layout, with a way back.  404 says
    «no such page, or not yours» — an object outside the reader's scope is simply absent."""
    from django.utils.translation import gettext as _

    if status == 403:
        heading = _("Access denied")
        detail = _("You may not open this page or do this action. If you think you should, ask your coordinator.")
    else:
        heading = _("Page not found")
        detail = _(
            "There is no such page, or it is not within your scope. Check the address or go back and choose "
            "another way."
        )
    context = {
        "status": status,
        "heading": heading,
        "detail": detail,
        "path": request.path,
        "back_url": back_url(request),
    }
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": heading, "code": "not_found" if status == 404 else "permission_denied"}, status=status
        )
    response = render(request, "error_page.html", context, status=status)
    response.opora_error_page = True
    return response


def page_not_found(request, exception=None):
    """``handler404``."""
    return error_page(request, 404)


def permission_denied(request, exception=None):
    """``handler403``."""
    return error_page(request, 403)


def server_error(request, *args, **kwargs):
    """``handler500``: a database that cannot be reached (restart, failover) answers 503
    with Retry-After — the client may try again in a moment — instead of a 500; the API
    answers in its JSON error shape.  Uses neither the database nor the request context
    (no session, no user, no menu): it must work exactly when those do not."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse
    from django.utils.translation import gettext as _

    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, (OperationalError, InterfaceError))
    status = 503 if unavailable else 500
    if unavailable:
        heading = _("The portal is unavailable for a moment")
        detail, code = _("The database is unavailable for a moment. Please try again shortly."), "unavailable"
    else:
        heading = _("Something went wrong")
        detail, code = (
            _("A server error occurred. It has been recorded; please try again, or go back and continue elsewhere."),
            "error",
        )
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": detail, "code": code}, status=status)
    else:
        context = {"status": status, "heading": heading, "detail": detail, "back_url": back_url(request)}
        response = HttpResponse(render_to_string("error.html", context), status=status)
    if unavailable:
        response["Retry-After"] = "5"
    return response
