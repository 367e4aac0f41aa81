from rest_framework.routers import SimpleRouter

from assessment.api import views

router = SimpleRouter()
router.register("assessment/group-results", views.GroupResultViewSet, basename="assessment-group-result")
router.register("assessment/flags", views.FlagViewSet, basename="assessment-flag")
router.register("assessment/teacher-dynamics", views.TeacherDynamicsViewSet, basename="assessment-teacher-dynamics")
router.register("assessment/school-indices", views.SchoolIndexViewSet, basename="assessment-school-index")
router.register("assessment/spread", views.SpreadViewSet, basename="assessment-spread")
router.register("assessment/imports", views.ImportBatchViewSet, basename="assessment-import")
urlpatterns = router.urls
