"""The views every checked-then-confirmed import shares (task plans, school context): confirm
or cancel a checked file, download a refused file with its error column, download the
template.  Each app declares its model, service calls, reader and names; the object always
comes through ``restrict()`` (a foreign import answers 404 like a missing one)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from core.policy import VIEW
from core.xlsx import XLSX_MIME

FAILED = "failed"  # the refused state of every import model


class ImportActionView(LoginRequiredMixin, View):
    """POST: run ``action(batch=…, user=…)`` on a visible import; a refusal (``refused``) or a
    failed run is an error message, else the import's own message (or ``done_message``)."""

    model = None
    action = None
    refused: type[Exception] = Exception
    done_message = ""

    def post(self, request, pk):
        batch = get_object_or_404(self.model.objects.restrict(request.user, VIEW), pk=pk)
        try:
            batch = type(self).action(batch=batch, user=request.user)
        except self.refused as exc:
            messages.error(request, str(exc))
        else:
            if batch.status == FAILED:
                messages.error(request, batch.message)
            else:
                messages.success(request, batch.message or self.done_message)
        return redirect(batch.get_absolute_url())


class ImportErrorFileView(LoginRequiredMixin, View):
    """GET: a refused import's file again, with an error column (``error_report(table, errors)``
    → content, extension, MIME type); 404 when the stored file can no longer be read."""

    model = None
    read_table = None
    error_report = None
    file_refused: type[Exception] = ValueError
    filename = "errors"

    def get(self, request, pk):
        batch = get_object_or_404(self.model.objects.restrict(request.user, VIEW), pk=pk, status=FAILED)
        try:
            with batch.file.open("rb") as fh:
                table = type(self).read_table(fh.read(), batch.original_name)
        except self.file_refused:
            raise Http404 from None
        content, ext, mime = type(self).error_report(table, batch.errors)
        response = HttpResponse(content, content_type=mime)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}-{batch.pk}.{ext}"'
        return response


class ImportTemplateFileView(LoginRequiredMixin, View):
    """GET: the import's xlsx template (``template_bytes()``)."""

    template_bytes = None
    filename = "template.xlsx"

    def get(self, request):
        response = HttpResponse(type(self).template_bytes(), content_type=XLSX_MIME)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response
