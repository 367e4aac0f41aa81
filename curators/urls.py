from django.urls import path

from curators import views

app_name = "curators"
urlpatterns = [
    path("assignments/", views.AssignmentListView.as_view(), name="assignment-list"),
    path("assignments/grid/", views.AssignmentGridView.as_view(), name="assignment-grid"),
    path("assignments/copy/", views.AssignmentCopyView.as_view(), name="assignment-copy"),
    path("assignments/new/", views.AssignmentCreateView.as_view(), name="assignment-create"),
    path("assignments/<int:pk>/", views.AssignmentDetailView.as_view(), name="assignment-detail"),
    path("assignments/<int:pk>/edit/", views.AssignmentUpdateView.as_view(), name="assignment-edit"),
    path("assignments/<int:pk>/end/", views.AssignmentEndView.as_view(), name="assignment-end"),
    path("workload/", views.WorkloadView.as_view(), name="workload"),
    path("pairs/", views.PairListView.as_view(), name="pair-list"),
    path("pairs/new/", views.PairCreateView.as_view(), name="pair-create"),
    path("pairs/<int:pk>/", views.PairDetailView.as_view(), name="pair-detail"),
    path("pairs/<int:pk>/edit/", views.PairUpdateView.as_view(), name="pair-edit"),
    path("visits/", views.VisitListView.as_view(), name="visit-list"),
    path("visits/new/", views.VisitCreateView.as_view(), name="visit-create"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit-detail"),
    path("visits/<int:pk>/edit/", views.VisitUpdateView.as_view(), name="visit-edit"),
    path("visits/<int:pk>/protocol.pdf", views.VisitProtocolView.as_view(), name="visit-protocol"),
    path("visits/<int:pk>/confirm/", views.VisitConfirmView.as_view(), name="visit-confirm"),
    path("recommendations/", views.RecommendationListView.as_view(), name="recommendation-list"),
    path(
        "recommendations/<int:pk>/<str:action>/",
        views.RecommendationActionView.as_view(),
        name="recommendation-action",
    ),
    path("planner/", views.PlannerView.as_view(), name="planner"),
]
