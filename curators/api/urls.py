from rest_framework.routers import SimpleRouter

from curators.api import views

router = SimpleRouter()
router.register("curator-assignments", views.CuratorAssignmentViewSet, basename="curatorassignment")
router.register("partner-pairs", views.PartnerPairViewSet, basename="partnerpair")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
urlpatterns = router.urls
