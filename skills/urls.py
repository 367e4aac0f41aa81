from django.urls import path

from skills import views

app_name = "skills"
urlpatterns = [
    path("", views.WeakSkillsView.as_view(), name="weak-skills"),
    path("deficits/", views.DeficitListView.as_view(), name="deficit-list"),
    path("school/<int:pk>/", views.SchoolProfileView.as_view(), name="school"),
    path("school/<int:school>/register/<int:event>/", views.RegisterForEventView.as_view(), name="register"),
    path("help-effect/", views.HelpEffectView.as_view(), name="help-effect"),
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("catalogue/", views.SkillListView.as_view(), name="skill-list"),
    path("imports/", views.ImportListView.as_view(), name="import-list"),
    path("imports/new/", views.ImportUploadView.as_view(), name="import-upload"),
    path("imports/template.xlsx", views.ImportTemplateView.as_view(), name="import-template"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/apply/", views.ImportApplyView.as_view(), name="import-apply"),
    path("imports/<int:pk>/cancel/", views.ImportCancelView.as_view(), name="import-cancel"),
    path("imports/<int:pk>/errors/", views.ImportErrorReportView.as_view(), name="import-errors"),
]
