from django.db import transaction
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts import scoping
from accounts.scoping import VIEW
from core.api import CachedListMixin
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
from socialcontext.models import ContextImport, ImportState


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


class ContextImportViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """``POST`` a context file (multipart ``file``; ``dry_run`` to check only): it is checked
    and, unless a dry run, imported whole at once — ``201`` with the import (status ``done``
    or ``checked``), or ``400`` with the import refused and every error (nothing changes)."""

    serializer_class = ContextImportSerializer
    filterset_class = ContextImportFilterSet
    parser_classes = [MultiPartParser, FormParser]
    ordering_fields = ["created"]

    def get_queryset(self):
        return ContextImport.objects.restrict(self.request.user, VIEW).order_by("-created")

    def create(self, request, *args, **kwargs):
        if not scoping.may_import(request.user):
            raise exceptions.PermissionDenied()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            batch = services.context_import_create(user=request.user, uploaded_file=serializer.validated_data["file"])
        if batch.status == ImportState.CHECKED and not serializer.validated_data["dry_run"]:
            batch = services.context_import_apply(batch=batch, user=request.user)
        ok = batch.status != ImportState.FAILED
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED if ok else 400)
