from rest_framework.routers import SimpleRouter

from schools.api import views

router = SimpleRouter()
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("schools", views.SchoolViewSet, basename="school")
router.register("orders", views.OrderViewSet, basename="order")
router.register("statuses", views.SchoolStatusViewSet, basename="schoolstatus")
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("risk-assessments", views.RiskAssessmentViewSet, basename="riskassessment")
urlpatterns = router.urls
