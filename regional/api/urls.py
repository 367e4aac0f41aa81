from rest_framework.routers import SimpleRouter

from regional.api import views

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register(
    "assessment/municipality-summary", views.MunicipalitySummaryViewSet, basename="assessment-municipality-summary"
)
urlpatterns = router.urls
