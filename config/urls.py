"""Root URLs. Each Opora app brings its own ``urls.py`` (pages, namespaced by the app's
label) and ``api/urls.py`` (REST endpoints under /api/v1/)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("vision/", core_views.vision, name="vision"),
    path("files/<path:name>", core_views.protected_file, name="protected-file"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", core_views.api_guide, name="api-guide"),
    path("api/v1/", include("config.api_urls")),
]
urlpatterns += [path(f"{app}/", include(f"{app}.urls")) for app in settings.OPORA_APPS]

# The portal's own error pages (Russian, in the layout, with a way back): core.views.  A
# database outage answers 503 (Retry-After), the API in its JSON error shape.  In DEBUG the
# same pages stand in for Django's technical ones (core.middleware.ErrorPagesMiddleware).
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
