from django.urls import path

from roadmaps import views

app_name = "roadmaps"
urlpatterns = [
    path("", views.RoadmapListView.as_view(), name="roadmap-list"),
    path("new/", views.RoadmapCreateView.as_view(), name="roadmap-create"),
    path("<int:pk>/", views.RoadmapDetailView.as_view(), name="roadmap-detail"),
    path("<int:pk>/edit/", views.RoadmapUpdateView.as_view(), name="roadmap-update"),
    path("<int:pk>/export/", views.RoadmapExportView.as_view(), name="roadmap-export"),
    path("<int:pk>/import/", views.RoadmapImportView.as_view(), name="roadmap-import"),
    path("<int:pk>/indicators/", views.RoadmapIndicatorsView.as_view(), name="roadmap-indicators"),
    path("<int:pk>/reports/new/", views.ReportCreateView.as_view(), name="report-create"),
    path("<int:pk>/<str:action>/", views.RoadmapTransitionView.as_view(), name="roadmap-transition"),
    path("nodes/<str:kind>/new/<int:parent>/", views.NodeView.as_view(), name="node-create"),
    path("nodes/<str:kind>/<int:pk>/", views.NodeView.as_view(), name="node-update"),
    path("nodes/<str:kind>/<int:pk>/delete/", views.NodeDeleteView.as_view(), name="node-delete"),
    path("monitoring/", views.MonitoringView.as_view(), name="monitoring"),
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/approval/", views.ApprovalQueueView.as_view(), name="approval-queue"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<int:pk>/edit/", views.ReportEditView.as_view(), name="report-edit"),
    path("reports/<int:pk>/pdf/", views.ReportPdfView.as_view(), name="report-pdf"),
    path("reports/<int:pk>/<str:action>/", views.ReportTransitionView.as_view(), name="report-transition"),
    path("documents/", views.DocumentListView.as_view(), name="document-list"),
    path("documents/new/", views.DocumentCreateView.as_view(), name="document-create"),
    path("documents/proposals/", views.DocumentProposalsView.as_view(), name="document-proposals"),
    path("documents/anti-risk/", views.AntiRiskProposeView.as_view(), name="document-anti-risk"),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="document-detail"),
    path("documents/<int:pk>/edit/", views.DocumentUpdateView.as_view(), name="document-update"),
    path("documents/<int:pk>/<str:action>/", views.DocumentTransitionView.as_view(), name="document-transition"),
]
