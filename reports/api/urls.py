from django.urls import path
from rest_framework.routers import SimpleRouter

from reports.api import views

router = SimpleRouter()
router.register("reports", views.GeneratedReportViewSet, basename="report")
urlpatterns = [
    path(
        "reports/<int:pk>/download/",
        views.GeneratedReportViewSet.as_view({"get": "download"}),
        name="api-report-download",
    ),
    *router.urls,
]
