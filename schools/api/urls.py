from rest_framework.routers import SimpleRouter

from schools.api import views

router = SimpleRouter()
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("schools", views.SchoolViewSet, basename="school")
urlpatterns = router.urls
