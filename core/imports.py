"""The views every checked-then-confirmed import shares (task plans, school context): upload,
list, the checked file's page, confirm or cancel it, the refused file with its error column,
the template (``import_urls`` wires them), the API's upload and list, and the management
command.  Each app names its ``CheckedImportService`` (``service``), its preview, form and
table; the object always comes through ``restrict()`` (a foreign import answers 404 like a
missing one)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.management.base import BaseCommand, CommandError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views import View
from django.views.generic import FormView
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.generic import ObjectActionView, ObjectDetailView, ObjectListView
from core.models import ImportState
from core.policy import VIEW
from core.tabular import FileRefused
from core.xlsx import XLSX_MIME


class _OfService:
    """A view of one import's files: ``service`` (its ``CheckedImportService``) gives the
    queryset, restricted by the scoped view it is mixed into."""

    service = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.service is not None:
            cls.queryset = cls.service.model.objects.select_related("uploaded_by")


class ImportUploadView(LoginRequiredMixin, FormView):
    """The upload form (404 for whoever may not import: ``service.may_import``); the file is
    checked at once and the answer is its page — the preview, or every error."""

    service = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.service.may_import(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        with transaction.atomic():
            batch = self.service.create(user=self.request.user, uploaded_file=form.cleaned_data["file"])
        return redirect(batch.get_absolute_url())


class ImportListView(_OfService, ObjectListView):
    """The import's files, with the upload button for whoever may import."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.service is not None:
            cls.create_url_name = f"{cls.service.model._meta.app_label}:import-upload"


class ImportDetailView(_OfService, ObjectDetailView):
    """A checked file: its preview (``preview(batch) -> context``) and the buttons to import
    or cancel for whoever may confirm; a refused one: every error, 500 a page."""

    template_name = "core/import_detail.html"
    context_object_name = "batch"

    def preview(self, batch) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        batch = self.object
        ctx["import_ns"] = batch._meta.app_label
        ctx["may_confirm"] = batch.awaits_confirmation and self.service.may_confirm(batch, self.request.user)
        if batch.awaits_confirmation:
            ctx.update(self.preview(batch))
        ctx["errors_page"] = Paginator(batch.errors, 500).get_page(self.request.GET.get("page"))
        return ctx


class ImportActionView(ObjectActionView):
    """POST: ``service.<action>(batch=…, user=…)`` (confirm or cancel) on a visible import —
    one declaration of the one POST action view: a refusal (``ImportRefused``, a
    ``ValidationError``) is an error message, and so is a file refused on the second check;
    else the import's own message."""

    service = None
    action = "confirm"
    default_action = "run"

    def get_queryset(self):
        return self.service.model.objects.all()

    @property
    def actions(self) -> dict:
        return {"run": (type(self).run, None)}

    def run(self, batch):
        batch = getattr(self.service, self.action)(batch=batch, user=self.request.user)
        (messages.error if batch.status == ImportState.FAILED else messages.success)(self.request, batch.message)
        return redirect(batch.get_absolute_url())


class ImportErrorFileView(LoginRequiredMixin, View):
    """GET: a refused import's file again, with an error column; 404 when the stored file can
    no longer be read."""

    service = None
    filename = "errors"

    def get(self, request, pk):
        model = self.service.model
        batch = get_object_or_404(model.objects.restrict(request.user, VIEW), pk=pk, status=ImportState.FAILED)
        try:
            content, ext, mime = self.service.error_file(batch)
        except FileRefused:
            raise Http404 from None
        response = HttpResponse(content, content_type=mime)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}-{batch.pk}.{ext}"'
        return response


class ImportTemplateFileView(LoginRequiredMixin, View):
    """GET: the import's xlsx template (its columns and example)."""

    service = None
    filename = "template.xlsx"

    def get(self, request):
        response = HttpResponse(self.service.file.template_bytes(), content_type=XLSX_MIME)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


class CheckedImportViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """``POST`` a file (multipart ``file``; ``dry_run`` to check only): it is checked and,
    unless a dry run, imported whole at once — ``201`` with the import (status ``done`` or
    ``checked``), or ``400`` with the import refused and every error (nothing changes).  Who
    may upload: ``service.may_import(user)``; the list and each import: whoever ``restrict()`` lets see."""

    service = None
    parser_classes = [MultiPartParser, FormParser]
    ordering_fields = ["created"]

    def get_queryset(self):
        return self.service.model.objects.restrict(self.request.user, VIEW).order_by("-created")

    def create(self, request, *args, **kwargs):
        if not self.service.may_import(request.user):
            raise exceptions.PermissionDenied()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            batch = self.service.create(user=request.user, uploaded_file=serializer.validated_data["file"])
            if batch.status == ImportState.CHECKED and not serializer.validated_data["dry_run"]:
                batch = self.service.confirm(batch=batch, user=request.user)
        ok = batch.status != ImportState.FAILED
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED if ok else 400)


class CheckedImportCommand(BaseCommand):
    """``manage.py <command> FILE [--dry-run]``: check a file and import it whole unless a dry
    run; a refused file prints every error (row, column, value, reason) and fails."""

    service = None

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    def dry_run_message(self, batch) -> str:
        return batch.message

    def handle(self, *args, file, dry_run, **options):
        try:
            batch = self.service.import_file(file, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(str(exc))
        if batch.status == ImportState.FAILED:
            for e in batch.errors:
                self.stderr.write(f"строка {e['row']}, {e['column'] or '—'}, «{e['value']}»: {e['reason']}")
            raise CommandError(batch.message)
        self.stdout.write(self.style.SUCCESS(self.dry_run_message(batch) if dry_run else batch.message))


def import_urls(service, *, listing, upload, detail, name: str) -> list:
    """The URLs of one checked import under ``imports/`` (the names the shared page links):
    the app's list, upload and detail views; confirm, cancel, the error file (``<name>-errors-
    <pk>``) and the template (``<name>-template.xlsx``) from ``service``."""
    return [
        path("imports/", listing.as_view(), name="import-list"),
        path("imports/new/", upload.as_view(), name="import-upload"),
        path(
            "imports/template.xlsx",
            ImportTemplateFileView.as_view(service=service, filename=f"{name}-template.xlsx"),
            name="import-template",
        ),
        path("imports/<int:pk>/", detail.as_view(), name="import-detail"),
        path("imports/<int:pk>/apply/", ImportActionView.as_view(service=service), name="import-apply"),
        path(
            "imports/<int:pk>/cancel/", ImportActionView.as_view(service=service, action="cancel"), name="import-cancel"
        ),
        path(
            "imports/<int:pk>/errors/",
            ImportErrorFileView.as_view(service=service, filename=f"{name}-errors"),
            name="import-errors",
        ),
    ]
