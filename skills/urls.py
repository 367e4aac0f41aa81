from django.urls import path

from core.imports import import_urls
from skills import services, views

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
    *import_urls(
        services.PLAN_IMPORT,
        listing=views.ImportListView,
        upload=views.ImportUploadView,
        detail=views.ImportDetailView,
        name="task-plan",
    ),
]
