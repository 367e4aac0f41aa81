from django.urls import path

from assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.MunicipalityResultsView.as_view(), name="municipality"),
    path("groups/", views.GroupResultListView.as_view(), name="group-list"),
    path("flags/", views.FlagListView.as_view(), name="flag-list"),
    path("teachers/", views.TeacherDynamicsListView.as_view(), name="teacher-list"),
    path("school/<int:pk>/", views.SchoolResultsView.as_view(), name="school"),
    path("imports/", views.ImportListView.as_view(), name="import-list"),
    path("imports/new/", views.ImportUploadView.as_view(), name="import-upload"),
    path("imports/template.xlsx", views.ImportTemplateView.as_view(), name="import-template"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/rollback/", views.ImportRollbackView.as_view(), name="import-rollback"),
    path("imports/<int:pk>/restart/", views.ImportRestartView.as_view(), name="import-restart"),
    path("imports/<int:pk>/errors/", views.ImportErrorReportView.as_view(), name="import-errors"),
]
