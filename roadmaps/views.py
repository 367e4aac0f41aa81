"""Pages of roadmaps: declarations around the services; every queryset is scoped."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts import scoping
from accounts.scoping import (
    EDIT,
    MANAGE,
    VIEW,
    can,
    frozen_reason,
    may_change,
    may_review,
    schools_for,
)
from core.charts import line_chart
from core.drafts import draft_saved
from core.errors import service_error_messages
from core.generic import (
    ObjectActionView,
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)
from core.xlsx import XLSX_MIME
from core.years import academic_year_label
from roadmaps import selectors, services
from roadmaps.filters import ProgressReportFilterSet, RoadmapFilterSet, SchoolDocumentFilterSet
from roadmaps.forms import (
    ActivityForm,
    CuratorReviewForm,
    GoalForm,
    ImportForm,
    IndicatorForm,
    ProgressReportForm,
    ReportCreateForm,
    ReviewForm,
    RoadmapForm,
    SchoolDocumentForm,
    TaskForm,
)
from roadmaps.models import (
    Activity,
    DocumentStatus,
    Goal,
    Indicator,
    ProgressReport,
    ReportStatus,
    Roadmap,
    RoadmapStatus,
    SchoolDocument,
    Task,
)
from roadmaps.tables import ProgressReportTable, RoadmapTable, SchoolDocumentTable
from roadmaps.xlsx import roadmap_workbook
from schools.models import School

# --- School documents ---------------------------------------------------------------------


class DocumentListView(ObjectListView):
    queryset = SchoolDocument.objects.select_related("school")
    table_class = SchoolDocumentTable
    filterset_class = SchoolDocumentFilterSet
    title = gettext_lazy("School documents")
    export_name = "school-documents"
    template_name = "roadmaps/schooldocument_list.html"
    create_url_name = "roadmaps:document-create"
    create_action = EDIT


class DocumentCreateView(ObjectCreateView):
    model = SchoolDocument
    form_class = SchoolDocumentForm
    create_action = EDIT
    title = gettext_lazy("New school document")
    success_message = gettext_lazy("The document has been saved as a draft.")


class DocumentUpdateView(ObjectUpdateView):
    model = SchoolDocument
    form_class = SchoolDocumentForm
    scope_action = EDIT
    title = gettext_lazy("Edit school document")
    success_message = gettext_lazy("The document has been saved.")

    def form_valid(self, form):
        if "file" in form.changed_data and form.initial.get("file"):
            form.instance.version += 1
        return super().form_valid(form)


class DocumentDetailView(ObjectDetailView):
    queryset = SchoolDocument.objects.select_related("school", "risk_factor")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        doc, user = self.object, self.request.user
        ctx["can_edit"] = may_change(user, doc)
        ctx["can_review"] = doc.status == DocumentStatus.SUBMITTED and (may_review(user, doc))
        ctx["review_form"] = ReviewForm()
        ctx["history"] = doc.history.select_related("history_user").order_by("-history_date")[:10]
        return ctx


class DocumentTransitionView(ObjectActionView):
    queryset = SchoolDocument.objects.all()

    def _comment(view) -> str:
        return view.request.POST.get("comment", "")

    actions = {
        "submit": (
            lambda view, doc: services.document_submit(view.request.user, doc),
            gettext_lazy("The document has been submitted."),
        ),
        "approve": (
            lambda view, doc: services.document_approve(view.request.user, doc, view._comment()),
            gettext_lazy("The document has been approved."),
        ),
        "return": (
            lambda view, doc: services.document_return(view.request.user, doc, view._comment()),
            gettext_lazy("The document has been returned to the school."),
        ),
    }


def _propose_anti_risk(view, school):
    from core.years import current_academic_year

    created = services.document_propose_anti_risk(view.request.user, school, current_academic_year())
    messages.success(view.request, _("Draft anti-risk programmes created: %(n)s.") % {"n": len(created)})
    return redirect(reverse("roadmaps:document-list") + f"?school={school.pk}")


class AntiRiskProposeView(ObjectActionView):
    """Draft anti-risk programmes for a school's risks (the school is posted, in ``edit`` scope)."""

    queryset = School.objects.all()
    scope_action = EDIT
    actions = {"propose": (_propose_anti_risk, None)}
    default_action = "propose"

    def get_object(self):
        self.kwargs["pk"] = self.request.POST.get("school", "")
        return super().get_object()


class DocumentProposalsView(LoginRequiredMixin, TemplateView):
    template_name = "roadmaps/document_proposals.html"

    def get_context_data(self, **kwargs):
        from core.years import current_academic_year

        ctx = super().get_context_data(**kwargs)
        year = current_academic_year()
        ctx["year"] = year
        ctx["rows"] = [
            (school, list(selectors.anti_risk_proposals(school, year)))
            for school in schools_for(self.request.user, EDIT).order_by("sort_name")[:50]
        ]
        return ctx


# --- Roadmaps -----------------------------------------------------------------------------


class RoadmapListView(ObjectListView):
    table_class = RoadmapTable
    filterset_class = RoadmapFilterSet
    title = gettext_lazy("Roadmaps")
    export_name = "roadmaps"
    create_url_name = "roadmaps:roadmap-create"
    create_action = EDIT

    def get_queryset(self):
        qs = Roadmap.objects.restrict(self.request.user, VIEW).select_related("school", "owner_municipality")
        return selectors.roadmaps_with_progress(qs)


class RoadmapCreateView(ObjectCreateView):
    model = Roadmap
    form_class = RoadmapForm
    create_action = EDIT
    title = gettext_lazy("New roadmap")
    success_message = gettext_lazy("The roadmap has been created. Add goals, tasks and activities.")


class RoadmapUpdateView(ObjectUpdateView):
    model = Roadmap
    form_class = RoadmapForm
    scope_action = EDIT
    title = gettext_lazy("Edit roadmap")
    success_message = gettext_lazy("The roadmap has been saved.")


class RoadmapDetailView(ObjectDetailView):
    queryset = Roadmap.objects.select_related("school__municipality", "owner_municipality")
    template_name = "roadmaps/roadmap_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        roadmap, user = self.object, self.request.user
        can_edit = can(user, EDIT, roadmap)
        ctx.update(
            can_edit=can_edit,
            can_edit_header=may_change(user, roadmap),
            can_review=roadmap.status == RoadmapStatus.SUBMITTED and may_review(user, roadmap),
            goals=selectors.roadmap_tree(roadmap),
            problems=selectors.roadmap_quality_problems(roadmap),
            reports=roadmap.reports.all(),
            history=roadmap.history.select_related("history_user").order_by("-history_date")[:10],
        )
        existing = {r.period_start for r in ctx["reports"]}
        today = timezone.localdate()
        ctx["new_periods"] = [
            p for p in selectors.roadmap_periods(roadmap) if p.start not in existing and p.start <= today
        ]
        if can_edit and ctx["new_periods"]:
            ctx["report_form"] = ReportCreateForm(periods=ctx["new_periods"])
        return ctx


class RoadmapTransitionView(ObjectActionView):
    queryset = Roadmap.objects.all()
    actions = {
        name: (lambda view, roadmap, func=func: func(view.request.user, roadmap), done)
        for name, func, done in (
            ("submit", services.roadmap_submit, gettext_lazy("The roadmap has been submitted for approval.")),
            ("approve", services.roadmap_approve, gettext_lazy("The roadmap has been approved.")),
            ("return", services.roadmap_return, gettext_lazy("The roadmap has been returned for revision.")),
        )
    }
    error_lead = dict.fromkeys(actions, gettext_lazy("The roadmap cannot be submitted: fix the problems listed below."))


class RoadmapExportView(LoginRequiredMixin, View):
    def get(self, request, pk):
        roadmap = get_object_or_404(Roadmap.objects.restrict(request.user, VIEW), pk=pk)
        response = HttpResponse(roadmap_workbook(roadmap), content_type=XLSX_MIME)
        response["Content-Disposition"] = f'attachment; filename="roadmap-{roadmap.pk}.xlsx"'
        return response


class RoadmapImportView(LoginRequiredMixin, View):
    template_name = "roadmaps/roadmap_import.html"

    def dispatch(self, request, pk):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.roadmap = get_object_or_404(Roadmap.objects.restrict(request.user, EDIT), pk=pk)
        return super().dispatch(request, pk)

    def get(self, request, pk):
        return render(request, self.template_name, {"roadmap": self.roadmap, "form": ImportForm()})

    def post(self, request, pk):
        form = ImportForm(request.POST, request.FILES)
        errors = []
        if form.is_valid():
            try:
                counts = services.roadmap_import_xlsx(request.user, self.roadmap, form.cleaned_data["file"])
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(
                    request,
                    _(
                        "Imported: goals %(goals)s, tasks %(tasks)s, activities %(activities)s, indicators %(indicators)s."
                    )
                    % counts,
                )
                return redirect(self.roadmap)
        return render(request, self.template_name, {"roadmap": self.roadmap, "form": form, "import_errors": errors})


class RoadmapIndicatorsView(ObjectDetailView):
    """A chart per indicator: actual values over the reporting periods against the target, with
    the values of the school's roadmaps of the years before where it tracked the indicator too."""

    queryset = Roadmap.objects.select_related("school", "owner_municipality")
    template_name = "roadmaps/roadmap_indicators.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        charts = []
        for trend in selectors.indicator_trends(self.object, self.request.user):
            i = trend.indicator
            charts.append(
                {
                    "indicator": i,
                    "years": [academic_year_label(year) for _start, year in trend.sections],
                    "off_track": selectors.is_off_track(i, trend.latest, i.activity.due_date)
                    if trend.latest is not None
                    else False,
                    "svg": line_chart(
                        [p.short_label for p in trend.periods],
                        {_("Actual"): trend.values},
                        title=Truncator(str(i)).chars(48),
                        unit="%" if i.unit == "%" else "",
                        target=None if i.target is None else float(i.target),
                        sections=[(start, academic_year_label(year)) for start, year in trend.sections]
                        if len(trend.sections) > 1
                        else (),
                        width=480,
                        height=240,
                    ),
                }
            )
        ctx["charts"] = charts
        return ctx


# --- The tree, edited inline through htmx -------------------------------------------------

NODES = {
    # kind: (model, form, parent model, parent field)
    "goal": (Goal, GoalForm, Roadmap, "roadmap"),
    "task": (Task, TaskForm, Goal, "goal"),
    "activity": (Activity, ActivityForm, Task, "task"),
    "indicator": (Indicator, IndicatorForm, Activity, "activity"),
}


class NodeView(LoginRequiredMixin, View):
    """GET: the inline form; POST: save and answer with the redrawn tree (htmx), or the form
    again with its errors.  ``parent`` in the URL creates a child, ``pk`` edits a node."""

    def setup_node(self, request, kind, pk=None, parent=None):
        if kind not in NODES:
            raise Http404
        model, form_class, parent_model, parent_field = NODES[kind]
        self.kind, self.form_class = kind, form_class
        if pk is not None:
            self.instance = get_object_or_404(model.objects.restrict(request.user, EDIT), pk=pk)
            self.roadmap = self.instance.roadmap
            self.parent = getattr(self.instance, parent_field)
        else:
            self.parent = get_object_or_404(parent_model.objects.restrict(request.user, EDIT), pk=parent)
            self.instance = model(**{parent_field: self.parent})
            self.roadmap = self.parent if kind == "goal" else self.parent.roadmap

    def form(self, data=None):
        return self.form_class(data, instance=self.instance, roadmap=self.roadmap, prefix=f"{self.kind}")

    def render_form(self, request, form, status=200):
        template = "roadmaps/_node_form.html" if request.htmx else "roadmaps/node_form_page.html"
        ctx = {
            "form": form,
            "kind": self.kind,
            "node": self.instance,
            "parent": self.parent,
            "roadmap": self.roadmap,
            "action": request.path,
        }
        return render(request, template, ctx, status=status)

    def get(self, request, kind, pk=None, parent=None):
        self.setup_node(request, kind, pk, parent)
        if reason := frozen_reason(self.instance):
            return tree_response(request, self.roadmap, reason, level="danger")
        return self.render_form(request, self.form())

    def post(self, request, kind, pk=None, parent=None):
        self.setup_node(request, kind, pk, parent)
        if reason := frozen_reason(self.instance):
            return tree_response(request, self.roadmap, reason, level="danger")
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_form(request, form, status=422 if request.htmx else 200)
        form.save()
        return tree_response(request, self.roadmap, _("Saved."))


class NodeDeleteView(ObjectActionView):
    """Delete a goal, task, activity or indicator of a roadmap (``roadmaps.services``: never
    one of a frozen plan); the tree answers (an htmx fragment, or the roadmap's page)."""

    scope_action = EDIT
    actions = {"delete": (lambda view, node: services.roadmap_node_delete(view.request.user, node), None)}
    default_action = "delete"

    def get_queryset(self):
        if self.kwargs["kind"] not in NODES:
            raise Http404
        return NODES[self.kwargs["kind"]][0].objects.all()

    def get_object(self):
        node = super().get_object()
        self.roadmap = node.roadmap  # read before the node is gone
        return node

    def succeeded(self, node, action, result, message):
        return tree_response(self.request, self.roadmap, _("Deleted."))

    def refused(self, node, action, exc):
        return tree_response(self.request, self.roadmap, exc.messages[0], level="danger")


def tree_response(request, roadmap: Roadmap, message: str, level: str = "success"):
    if not request.htmx:
        messages.add_message(request, messages.ERROR if level == "danger" else messages.SUCCESS, message)
        return redirect(roadmap)
    response = render(
        request,
        "roadmaps/_tree.html",
        {
            "roadmap": roadmap,
            "goals": selectors.roadmap_tree(roadmap),
            "problems": selectors.roadmap_quality_problems(roadmap),
            "can_edit": True,
            "tree_message": message,
            "tree_level": level,
        },
    )
    response["HX-Retarget"] = "#roadmap-tree"
    response["HX-Reswap"] = "outerHTML"
    return response


# --- Progress reports ---------------------------------------------------------------------


class ReportListView(ObjectListView):
    queryset = ProgressReport.objects.select_related("roadmap__school", "roadmap__owner_municipality")
    table_class = ProgressReportTable
    filterset_class = ProgressReportFilterSet
    title = gettext_lazy("Progress reports")
    export_name = "progress-reports"


class ApprovalQueueView(ReportListView):
    title = gettext_lazy("Reports waiting for approval")
    export_name = "reports-for-approval"

    def get_queryset(self):
        return selectors.reports_waiting_for_approval(self.request.user)


def _report_create(view, roadmap):
    try:
        start = datetime.date.fromisoformat(view.request.POST.get("period", ""))
    except ValueError:
        raise ValidationError(_("Choose a reporting period.")) from None
    report = services.progress_report_create(view.request.user, roadmap, start)
    return redirect("roadmaps:report-edit", report.pk)


class ReportCreateView(ObjectActionView):
    """A progress report of the roadmap for the chosen period; its edit page follows."""

    queryset = Roadmap.objects.all()
    scope_action = EDIT
    actions = {"create": (_report_create, None)}
    default_action = "create"


class ReportDetailView(ObjectDetailView):
    """The report as plan vs actuals side by side; an approved report is shown from its
    snapshot."""

    queryset = ProgressReport.objects.select_related("roadmap__school", "roadmap__owner_municipality")
    template_name = "roadmaps/report_detail.html"
    context_object_name = "report"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        report, user = self.object, self.request.user
        school = report.roadmap.school
        doc = selectors.report_document(report)
        approver = scoping.may_approve_report(user, report)
        ctx.update(
            document=doc,
            can_edit=report.is_editable and scoping.may_fill_report(user, report),
            can_review=report.status == ReportStatus.SUBMITTED and scoping.may_review_report(user, report),
            can_approve=approver
            and (report.status == ReportStatus.ACCEPTED or (report.status == ReportStatus.SUBMITTED and not school)),
            can_return_coordinator=approver and report.status == ReportStatus.ACCEPTED,
            transitions=report.transitions.select_related("user"),
        )
        if ctx["can_review"]:
            ctx["review_form"] = kwargs.get("review_form") or CuratorReviewForm(document=doc)
        return ctx


class ReportPdfView(LoginRequiredMixin, View):
    """The report of a period as an official PDF: the approved snapshot, or the live data
    marked as a draft.  Scoped exactly like the report page (out of scope → 404)."""

    def get(self, request, pk):
        from reports.pdf import pdf_response
        from roadmaps.documents import progress_report_pdf

        report = get_object_or_404(
            ProgressReport.objects.restrict(request.user, VIEW).select_related(
                "roadmap__school__municipality__region", "roadmap__owner_municipality__region"
            ),
            pk=pk,
        )
        pdf, filename = progress_report_pdf(report)
        return pdf_response(pdf, filename)


class ReportEditView(LoginRequiredMixin, View):
    """The school fills the report.  A stale form (someone saved since it was opened) is
    shown again with the user's input and the fresh values, nothing is lost."""

    template_name = "roadmaps/report_form.html"

    def setup_report(self, request, pk):
        self.report = get_object_or_404(
            ProgressReport.objects.restrict(request.user, EDIT).select_related("roadmap__school"), pk=pk
        )
        if not self.report.is_editable:
            messages.error(request, _("This report is no longer editable."))
            return redirect(self.report)
        return None

    def render_form(self, request, form, fresh=None, status=200):
        return render(
            request,
            self.template_name,
            {
                "report": self.report,
                "form": form,
                "fresh": fresh,
                "missing": services.progress_report_missing(self.report),
            },
            status=status,
        )

    def get(self, request, pk):
        if response := self.setup_report(request, pk):
            return response
        services.progress_report_sync_entries(self.report)
        doc = selectors.report_document(self.report)
        form = ProgressReportForm(initial={"version": self.report.version}, document=doc)
        return self.render_form(request, form)

    def post(self, request, pk):
        if response := self.setup_report(request, pk):
            return response
        doc = selectors.report_document(self.report)
        form = ProgressReportForm(request.POST, request.FILES, document=doc)
        if not form.is_valid():
            return self.render_form(request, form)
        entries, files = form.entries_data()
        try:
            services.progress_report_save(request.user, self.report, form.cleaned_data["version"], entries, files)
        except services.StaleReport:
            self.report.refresh_from_db()
            fresh = selectors.report_document(self.report)
            data = request.POST.copy()
            data["version"] = self.report.version
            form = ProgressReportForm(data, document=fresh)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Someone else saved this report while you were editing it. Your input is kept below, "
                    "and the values saved now are shown next to each field. Check them and save again."
                ),
            )
            return self.render_form(request, form, fresh=fresh, status=409)
        draft_saved(request, f"report-{self.report.pk}")
        if "submit" in request.POST:
            try:
                services.progress_report_submit(request.user, self.report)
            except ValidationError as exc:
                messages.warning(request, _("The report is saved but cannot be submitted yet:"))
                service_error_messages(request, exc)
                return redirect("roadmaps:report-edit", self.report.pk)
            messages.success(request, _("The report has been submitted to the curator."))
            return redirect(self.report)
        messages.success(request, _("The report has been saved."))
        return redirect("roadmaps:report-edit", self.report.pk)


class ReportTransitionView(ObjectActionView):
    """Submit (the school), accept / return / comment (the curator, with the review form),
    approve (the coordinator)."""

    queryset = ProgressReport.objects.all()

    def review(self, report, action: str) -> None:
        doc = selectors.report_document(report)
        is_curator = scoping.may_review_report(self.request.user, report)
        form = CuratorReviewForm(self.request.POST, document=doc if is_curator else {"goals": []})
        form.is_valid()
        comments = form.comments() if is_curator else None
        user = self.request.user
        if action == "accept":
            services.progress_report_accept(user, report, comments)
        elif action == "comment":
            services.progress_report_comment(user, report, comments or {})
        else:
            services.progress_report_return(user, report, form.cleaned_data.get("reason", ""), comments)

    actions = {
        "submit": (
            lambda view, report: services.progress_report_submit(view.request.user, report),
            gettext_lazy("The report has been submitted to the curator."),
        ),
        "approve": (
            lambda view, report: services.progress_report_approve(view.request.user, report),
            gettext_lazy("The report has been approved."),
        ),
        "accept": (
            lambda view, report: view.review(report, "accept"),
            gettext_lazy("The report has been accepted and sent to the coordinator."),
        ),
        "return": (
            lambda view, report: view.review(report, "return"),
            gettext_lazy("The report has been returned to the school."),
        ),
        "comment": (lambda view, report: view.review(report, "comment"), gettext_lazy("Comments saved.")),
    }


# --- Monitoring ---------------------------------------------------------------------------


class MonitoringView(LoginRequiredMixin, TemplateView):
    """Completion, overdue activities, missing and late reports, indicators off track."""

    template_name = "roadmaps/monitoring.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        roadmaps = (
            selectors.roadmaps_with_progress(selectors.current_roadmaps(user))
            .select_related("school__municipality")
            .order_by("school__sort_name", "title")
        )
        states = {row["roadmap"].pk: row for row in selectors.report_states(roadmaps)}
        rows = [
            {"roadmap": r, "completion": selectors.completion_share(r), "state": states.get(r.pk)} for r in roadmaps
        ]
        total = sum(r.n_activities - r.n_cancelled for r in roadmaps)
        ctx.update(
            rows=rows,
            total_completion=(sum(r.n_done for r in roadmaps) / total) if total else None,
            overdue=selectors.overdue_activities(roadmaps)[:50],
            off_track=selectors.off_track_indicators(roadmaps)[:50],
            late=sum(1 for s in states.values() if s["late"]),
            can_approve=scoping.has_school_scope(user, MANAGE),
            municipalities=selectors.municipality_summary(roadmaps, states),
            missing=sum(1 for s in states.values() if s["missing"]),
        )
        return ctx
