from rest_framework.routers import SimpleRouter

from skills.api import views

# Under /api/v1/assessment/ as TASKS.md §3 names them: task-level results belong to the
# assessment resources for a REST client, whichever app computes them.
router = SimpleRouter()
router.register("assessment/task-results", views.TaskResultViewSet, basename="assessment-task-result")
router.register("assessment/skill-results", views.SkillResultViewSet, basename="assessment-skill-result")
router.register(
    "assessment/municipal-skill-results", views.MunicipalSkillResultViewSet, basename="assessment-municipal-skill"
)
router.register("assessment/skills", views.SkillViewSet, basename="assessment-skill")
router.register("assessment/task-plans", views.TaskPlanViewSet, basename="assessment-task-plan")
router.register("assessment/task-plan-imports", views.PlanImportViewSet, basename="assessment-task-plan-import")
urlpatterns = router.urls
