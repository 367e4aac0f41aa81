from rest_framework.routers import SimpleRouter

from roadmaps.api import views

router = SimpleRouter()
router.register("school-documents", views.SchoolDocumentViewSet, basename="school-document")
router.register("roadmaps", views.RoadmapViewSet, basename="roadmap")
router.register("roadmap-goals", views.GoalViewSet, basename="roadmap-goal")
router.register("roadmap-tasks", views.TaskViewSet, basename="roadmap-task")
router.register("roadmap-activities", views.ActivityViewSet, basename="roadmap-activity")
router.register("roadmap-indicators", views.IndicatorViewSet, basename="roadmap-indicator")
router.register("progress-reports", views.ProgressReportViewSet, basename="progress-report")
urlpatterns = router.urls
