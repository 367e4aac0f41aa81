from rest_framework import viewsets

from core.api import CachedListMixin
from core.imports import CheckedImportViewSet
from socialcontext import selectors, services
from socialcontext.api.serializers import (
    ContextFitSerializer,
    ContextImportSerializer,
    PartnerSuggestionSerializer,
    SchoolContextFigureSerializer,
)
from socialcontext.filters import (
    ContextFitFilterSet,
    ContextImportFilterSet,
    FigureFilterSet,
    PartnerSuggestionFilterSet,
)


class _ReadOnly(CachedListMixin, viewsets.ReadOnlyModelViewSet):
    """A read-only list of a selector's rows (scoped by the selector)."""

    selector = None

    def get_queryset(self):
        return type(self).selector(self.request.user)


class SchoolContextViewSet(_ReadOnly):
    """Each school's context index and, where its municipality-year has a fit, its school
    index, expected index, residual, category and anomaly (CONTEXT.md §2–§3)."""

    selector = staticmethod(selectors.figures)
    serializer_class = SchoolContextFigureSerializer
    filterset_class = FigureFilterSet
    ordering_fields = ["year", "context_index", "school_index", "residual"]


class ContextFitViewSet(_ReadOnly):
    """The OLS fit of each municipality and year with at least 8 schools (CONTEXT.md §3)."""

    selector = staticmethod(selectors.fits)
    serializer_class = ContextFitSerializer
    filterset_class = ContextFitFilterSet
    ordering_fields = ["year"]


class PartnerSuggestionViewSet(_ReadOnly):
    """Up to three suggested partners per ШНОР school or low-result candidate (CONTEXT.md §4);
    listed where both schools are in the caller's scope."""

    selector = staticmethod(selectors.suggestions)
    serializer_class = PartnerSuggestionSerializer
    filterset_class = PartnerSuggestionFilterSet
    ordering_fields = ["year", "rank"]


class ContextImportViewSet(CheckedImportViewSet):
    """A context file (CONTEXT.md §1): checked, and imported whole unless a dry run (``CheckedImportViewSet``)."""

    service = services.CONTEXT_IMPORT
    serializer_class = ContextImportSerializer
    filterset_class = ContextImportFilterSet
