from rest_framework.routers import SimpleRouter

from events.api import views

router = SimpleRouter()
router.register("events", views.EventViewSet, basename="event")
router.register("event-registrations", views.RegistrationViewSet, basename="event-registration")
router.register("event-feedback", views.FeedbackViewSet, basename="event-feedback")
router.register("materials", views.MaterialViewSet, basename="material")
urlpatterns = router.urls
