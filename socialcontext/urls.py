from django.urls import path

from socialcontext import views

app_name = "socialcontext"
urlpatterns = [
    path("", views.ContextResultsView.as_view(), name="results"),
    path("data/", views.SchoolContextListView.as_view(), name="data-list"),
    path("data/new/", views.SchoolContextCreateView.as_view(), name="data-create"),
    path("data/<int:pk>/", views.SchoolContextDetailView.as_view(), name="data-detail"),
    path("data/<int:pk>/edit/", views.SchoolContextUpdateView.as_view(), name="data-edit"),
    path("imports/", views.ImportListView.as_view(), name="import-list"),
    path("imports/new/", views.ImportUploadView.as_view(), name="import-upload"),
    path("imports/template.xlsx", views.ImportTemplateView.as_view(), name="import-template"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/apply/", views.ImportApplyView.as_view(), name="import-apply"),
    path("imports/<int:pk>/cancel/", views.ImportCancelView.as_view(), name="import-cancel"),
    path("imports/<int:pk>/errors/", views.ImportErrorReportView.as_view(), name="import-errors"),
    path("suggestions/", views.SuggestionListView.as_view(), name="suggestion-list"),
    path("suggestions/<int:pk>/pair/", views.PairFromSuggestionView.as_view(), name="suggestion-pair"),
]
