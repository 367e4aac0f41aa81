from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import add_service_errors
from core.generic import ObjectDetailView, ObjectListView
from reports import services
from reports.filters import GeneratedReportFilterSet
from reports.forms import ReportRequestForm
from reports.models import GeneratedReport, ReportKind, ReportStatus
from reports.requisites import DocumentRefused
from reports.tables import GeneratedReportTable


class ReportListView(ObjectListView):
    """«My reports»: the documents this user asked for, with the form to ask for another."""

    queryset = GeneratedReport.objects.select_related("school", "municipality")
    table_class = GeneratedReportTable
    filterset_class = GeneratedReportFilterSet
    template_name = "reports/report_list.html"
    title = gettext_lazy("My documents")
    export_name = "my-documents"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Own ids, so its labels don't collide with the filter sidebar's fields of the same names.
        ctx["form"] = ReportRequestForm(user=self.request.user, initial=self.request.GET.dict(), auto_id="new_%s")
        return ctx


ORDER_DRAFT_KINDS = {
    ReportKind.ORDER_LOW_RESULTS: "low_results",
    ReportKind.ORDER_CURATORS: "curators",
    ReportKind.ORDER_PARTNERS: "partners",
}


class ReportDetailView(ObjectDetailView):
    """A document's page — its verification page too: the data date and the checksum that
    the order's PDF keeps only in its metadata."""

    queryset = GeneratedReport.objects.select_related("school", "municipality")

    def get_context_data(self, **kwargs):
        from urllib.parse import urlencode

        from django.urls import reverse

        from accounts.scoping import may_register_order

        ctx = super().get_context_data(**kwargs)
        report = self.object
        draft = ORDER_DRAFT_KINDS.get(report.kind)
        if draft and may_register_order(self.request.user, report.municipality_id):
            params = {
                "municipality": report.municipality_id,
                "draft_kind": draft,
                "draft_year": report.year,
                "title": report.title,
                "issuer": report.municipality.education_body,
            }
            ctx["register_url"] = f"{reverse('schools:order-create')}?{urlencode(params)}"
        return ctx

    def get_template_names(self):
        if self.request.htmx:
            return ["reports/_report_status.html"]
        return ["reports/report_detail.html"]


@login_required
@require_POST
def report_create(request):
    form = ReportRequestForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "reports/report_form.html", {"form": form, "title": _("New document")}, status=400)
    if form.cleaned_data["kind"] == ReportKind.INFO_NOTE:
        # The note is a narrative the coordinator reads and edits before issuing it.
        return redirect("reports:info-note", pk=form.subject().pk, year=form.cleaned_data["year"])
    try:
        report = services.report_request(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            subject=form.subject(),
            year=form.cleaned_data["year"],
            fmt=form.cleaned_data["fmt"],
        )
    except DocumentRefused as exc:
        # Nothing is recorded: the person is told what to fill in and where.
        add_service_errors(form, exc)
        return render(request, "reports/report_form.html", {"form": form, "title": _("New document")}, status=400)
    if report.status == ReportStatus.DONE:
        return redirect("reports:report-download", pk=report.pk)
    if report.status == ReportStatus.FAILED:
        messages.error(request, _("The document could not be built: %(error)s") % {"error": report.error})
    return redirect(report)


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def report_file_response(report: GeneratedReport) -> FileResponse:
    """The finished document's file (PDF opens in the browser, .docx downloads)."""
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404
    name = report.file.name.rsplit("/", 1)[-1]
    return FileResponse(
        report.file.open("rb"), filename=name, content_type=CONTENT_TYPES[report.fmt], as_attachment=report.fmt != "pdf"
    )


@login_required
def report_download(request, pk: int):
    return report_file_response(get_object_or_404(GeneratedReport.objects.restrict(request.user), pk=pk))


@login_required
@require_POST
def report_retry(request, pk: int):
    report = get_object_or_404(GeneratedReport.objects.restrict(request.user), pk=pk)
    services.report_retry(report)
    return redirect(report)


@login_required
def info_note_edit(request, pk: int, year: int):
    """The information note as an editable narrative: the generated text (or the one kept),
    saved, rebuilt from the data, or issued as PDF or .docx with the text it was made from."""
    from accounts.scoping import may_edit_info_note
    from reports.forms import InfoNoteForm
    from reports.narrative import generate

    municipality = get_object_or_404(services.report_subjects(request.user, ReportKind.INFO_NOTE), pk=pk)
    may_edit = may_edit_info_note(request.user, municipality)
    text, saved = services.info_note_text(municipality, year)
    action = request.POST.get("action", "")
    form = InfoNoteForm(initial={"text": text})
    status = 200
    if request.method == "POST":
        if action == "regenerate":
            form = InfoNoteForm(initial={"text": generate(municipality, year)})
            messages.info(request, _("The text has been rebuilt from the data; it is kept when you save or issue it."))
        else:
            form = InfoNoteForm(request.POST)
            if not form.is_valid():
                status = 400
            else:
                text = form.cleaned_data["text"]
                if may_edit:
                    services.info_note_save(municipality=municipality, year=year, text=text, user=request.user)
                if action in ("pdf", "docx"):
                    try:
                        report = services.report_request(
                            actor=request.user,
                            kind=ReportKind.INFO_NOTE,
                            subject=municipality,
                            year=year,
                            fmt=action,
                            text=text,
                        )
                    except DocumentRefused as exc:
                        add_service_errors(form, exc)
                        status = 400
                    else:
                        return redirect(report)
                else:
                    messages.success(request, _("The text of the note has been saved."))
                    return redirect("reports:info-note", pk=municipality.pk, year=year)
    return render(
        request,
        "reports/info_note_edit.html",
        {
            "form": form,
            "municipality": municipality,
            "year": year,
            "saved": saved,
            "may_edit": may_edit,
            "title": _("Information note"),
        },
        status=status,
    )
