from rest_framework.routers import SimpleRouter

from socialcontext.api import views

# Under /api/v1/assessment/ as CONTEXT.md §5 names them: results read against context belong
# to the assessment resources for a REST client, whichever app computes them.
router = SimpleRouter()
router.register("assessment/school-context", views.SchoolContextViewSet, basename="assessment-school-context")
router.register("assessment/context-fits", views.ContextFitViewSet, basename="assessment-context-fit")
router.register(
    "assessment/partner-suggestions", views.PartnerSuggestionViewSet, basename="assessment-partner-suggestion"
)
router.register("assessment/context-imports", views.ContextImportViewSet, basename="assessment-context-import")
urlpatterns = router.urls
