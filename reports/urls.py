from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="report-list"),
    path("new/", views.report_create, name="report-create"),
    path("info-note/<int:pk>/<int:year>/", views.info_note_edit, name="info-note"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("<int:pk>/download/", views.report_download, name="report-download"),
    path("<int:pk>/retry/", views.report_retry, name="report-retry"),
]
