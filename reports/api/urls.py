from django.urls import path
from rest_framework.routers import SimpleRouter

from reports.api import views

router = SimpleRouter()
router.register("reports", views.GeneratedReportViewSet, basename="report")
urlpatterns = [
    path(
        "reports/<int:pk>/download/",
        # the action's own settings too (its renderers: a client asking for the PDF gets it)
        views.GeneratedReportViewSet.as_view({"get": "download"}, **views.GeneratedReportViewSet.download.kwargs),
        name="api-report-download",
    ),
    *router.urls,
]
