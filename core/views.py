import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from core.dashboard import panels_for
from core.files import resolve_protected_file


@login_required
def home(request):
    return render(request, "home.html", {"panels": panels_for(request.user)})


@login_required
def api_guide(request):
    return render(request, "api_guide.html", {"site_url": settings.SITE_URL.rstrip("/")})


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
