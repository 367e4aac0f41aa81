from django.urls import path

from core.imports import import_urls
from socialcontext import services, views

app_name = "socialcontext"
urlpatterns = [
    path("", views.ContextResultsView.as_view(), name="results"),
    path("data/", views.SchoolContextListView.as_view(), name="data-list"),
    path("data/new/", views.SchoolContextCreateView.as_view(), name="data-create"),
    path("data/<int:pk>/", views.SchoolContextDetailView.as_view(), name="data-detail"),
    path("data/<int:pk>/edit/", views.SchoolContextUpdateView.as_view(), name="data-edit"),
    *import_urls(
        services.CONTEXT_IMPORT,
        listing=views.ImportListView,
        upload=views.ImportUploadView,
        detail=views.ImportDetailView,
        name="context",
    ),
    path("suggestions/", views.SuggestionListView.as_view(), name="suggestion-list"),
    path("suggestions/<int:pk>/pair/", views.PairFromSuggestionView.as_view(), name="suggestion-pair"),
]
