from django.urls import path

from regional import views

app_name = "regional"
urlpatterns = [
    path("", views.RegionalDashboardView.as_view(), name="dashboard"),
    path("schools/", views.RegionalSchoolListView.as_view(), name="schools"),
    path("results/", views.RegionalResultsView.as_view(), name="results"),
    path("report/", views.RegionalReportView.as_view(), name="report"),
]
