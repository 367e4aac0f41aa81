from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from accounts.scoping import MANAGE, VIEW, can, municipalities_overseen, schools_for
from assessment import selectors, services
from assessment.fileformat import template_bytes
from assessment.filters import FlagFilterSet, GroupResultFilterSet, ImportBatchFilterSet, SchoolIndexFilterSet
from assessment.forms import ImportForm
from assessment.models import Flag, GroupResult, ImportBatch, SchoolIndex
from assessment.tables import FlagTable, GroupResultTable, ImportBatchTable, SchoolIndexTable
from core.charts import line_chart
from core.generic import ObjectDetailView, ObjectListView
from core.xlsx import XLSX_MIME, workbook_bytes, xlsx_response
from core.years import academic_year_label
from schools.models import School


class ImportUploadView(LoginRequiredMixin, FormView):
    form_class = ImportForm
    template_name = "assessment/import_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not schools_for(request.user, MANAGE).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        with transaction.atomic():
            batch = services.import_batch_create(
                user=self.request.user, uploaded_file=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
            )
            transaction.on_commit(lambda: services.import_batch_queue(batch.pk))
        return redirect(batch.get_absolute_url())


class ImportListView(ObjectListView):
    queryset = ImportBatch.objects.select_related("uploaded_by")
    table_class = ImportBatchTable
    filterset_class = ImportBatchFilterSet
    title = gettext_lazy("Results imports")
    export_name = "imports"
    create_url_name = "assessment:import-upload"


class ImportDetailView(ObjectDetailView):
    queryset = ImportBatch.objects.select_related("uploaded_by", "rolled_back_by")
    template_name = "assessment/import_detail.html"

    def get_template_names(self):
        if self.request.htmx:
            return ["assessment/_import_status.html"]
        return [self.template_name]

    def render_to_response(self, context, **kwargs):
        if self.request.htmx and self.object.is_finished:
            # Finished while polling: reload the whole page to show the summary or the errors.
            response = HttpResponse("")
            response["HX-Refresh"] = "true"
            return response
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        batch = self.object
        ctx["can_rollback"] = batch.status == "done" and not batch.dry_run and can(self.request.user, MANAGE, batch)
        ctx["can_restart"] = batch.is_stale and can(self.request.user, MANAGE, batch)
        ctx["errors_page"] = Paginator(batch.errors, 500).get_page(self.request.GET.get("page"))
        return ctx


class _ImportActionView(LoginRequiredMixin, View):
    """A coordinator's action on an import batch (POST): the service, the refusal it may
    raise (shown as the message) and the message of success."""

    action = staticmethod(lambda batch, user: None)
    refused: type[Exception] = Exception
    done_message = ""

    def post(self, request, pk):
        batch = get_object_or_404(ImportBatch.objects.restrict(request.user, MANAGE), pk=pk)
        try:
            self.action(batch, request.user)
        except self.refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, self.done_message)
        return redirect(batch.get_absolute_url())


class ImportRollbackView(_ImportActionView):
    action = staticmethod(services.import_batch_rollback)
    refused = services.RollbackRefused
    done_message = gettext_lazy("The import has been rolled back.")


class ImportRestartView(_ImportActionView):
    """Run again an import whose worker died (or whose message was lost): see ImportBatch.is_stale."""

    action = staticmethod(services.import_batch_restart)
    refused = services.RestartRefused
    done_message = gettext_lazy("The import has been queued again.")


class ImportErrorReportView(LoginRequiredMixin, View):
    def get(self, request, pk):
        batch = get_object_or_404(ImportBatch.objects.restrict(request.user, VIEW), pk=pk, status="failed")
        content, ext, mime = services.import_error_report(batch)
        response = HttpResponse(content, content_type=mime)
        response["Content-Disposition"] = f'attachment; filename="errors-{batch.pk}.{ext}"'
        return response


class ImportTemplateView(LoginRequiredMixin, View):
    def get(self, request):
        response = HttpResponse(template_bytes(), content_type=XLSX_MIME)
        response["Content-Disposition"] = 'attachment; filename="results-template.xlsx"'
        return response


class SchoolResultsView(ObjectDetailView):
    queryset = School.objects.select_related("municipality")
    template_name = "assessment/school.html"
    context_object_name = "school"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["o"] = selectors.school_overview(self.object)
        return ctx

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get("export") == "xlsx":
            return _school_workbook(self.object, context["o"])
        return super().render_to_response(context, **kwargs)


def _school_workbook(school, o) -> HttpResponse:
    years = o.get("years", [])
    labels = [academic_year_label(y) for y in years]
    results = []
    for row in o.get("rows", []):
        for year, cell in zip(labels, row["cells"], strict=False):
            if cell:
                share = cell["share_fail"]
                results.append(
                    [
                        row["procedure"],
                        row["subject"],
                        year,
                        cell["participants"],
                        round(cell["mean_percent"], 1),
                        None if share is None else round(share * 100, 1),
                    ]
                )
    flag_rows = [
        [
            academic_year_label(f.year),
            f.get_kind_display(),
            str(f.procedure),
            str(f.subject),
            f.grade,
            f.teacher_code,
            f.rule,
            str(f.inputs),
            str(f.thresholds),
        ]
        for f in [*o.get("flags", []), *o.get("teacher_flags", [])]
    ]
    risk_rows = [[r["subject"], *r["counts"]] for r in o.get("risk_rows", [])]
    content = workbook_bytes(
        {
            _("Results"): (
                [_("Procedure"), _("Subject"), _("Year"), _("Participants"), _("Mean, %"), _("«2», %")],
                results,
            ),
            _("Flags"): (
                [
                    _("Year"),
                    _("Flag"),
                    _("Procedure"),
                    _("Subject"),
                    _("Grade"),
                    _("Teacher"),
                    _("Rule"),
                    _("Numbers"),
                    _("Thresholds"),
                ],
                flag_rows,
            ),
            _("Risk zone"): ([_("Subject"), *labels], risk_rows),
        }
    )
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="results-{school.code}.xlsx"'
    return response


def _trend_charts(spreads: list, effects: list) -> dict:
    """The spread (one line per municipality) and, for one municipality, the programme's
    effectiveness across years: pictures of the two tables above the schools."""
    charts = {}
    years = sorted({s.year for s in spreads})
    if len(years) > 1:
        series: dict[str, dict[int, float]] = {}
        for s in spreads:
            series.setdefault(s.municipality.name, {})[s.year] = s.spread
        charts["spread_chart"] = line_chart(
            [academic_year_label(y) for y in years],
            {name: [by_year.get(y) for y in years] for name, by_year in list(series.items())[:8]},
            title=_("Spread of the school indices by year"),
        )
    if effects and len({e.municipality_id for e in effects}) == 1:
        labels = [academic_year_label(e.year) for e in effects]
        charts["effect_chart"] = line_chart(
            labels,
            {
                _("Index rose, %"): [None if e.share_rose is None else 100 * e.share_rose for e in effects],
                _("Left the status, %"): [None if e.share_left is None else 100 * e.share_left for e in effects],
            },
            max_value=100,
            unit=" %",
            title=_("Programme effectiveness by year"),
        )
    return charts


class MunicipalityResultsView(ObjectListView):
    """Schools with their index (sortable), candidates with the reason, spread and programme effectiveness."""

    queryset = SchoolIndex.objects.select_related("school", "municipality")
    table_class = SchoolIndexTable
    filterset_class = SchoolIndexFilterSet
    template_name = "assessment/municipality.html"
    title = gettext_lazy("Results of the municipality")
    export_name = "school-indices"

    def _municipality_filter(self, qs):
        value = self.request.GET.get("municipality")
        return qs.filter(municipality_id=value) if value and value.isdigit() else qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["spreads"] = spreads = list(self._municipality_filter(selectors.spreads(self.request.user)))
        ctx["effects"] = effects = list(self._municipality_filter(selectors.programme_effects(self.request.user)))
        ctx["run"] = selectors.last_run()
        ctx["show_municipality"] = len({s.municipality_id for s in [*spreads, *effects]}) > 1
        if municipalities_overseen(self.request.user).count() > 1:
            ctx["title"] = _("Results of the municipalities")  # a region's coordinator reads several
        ctx.update(_trend_charts(spreads, effects))
        return ctx

    def render_to_response(self, context, **response_kwargs):
        export = self.request.GET.get("export")
        if export == "spread":
            return xlsx_response(
                "spread",
                [_("Municipality"), _("Year"), _("Schools"), "P10", "P90", _("Spread")],
                [
                    [s.municipality.name, academic_year_label(s.year), s.schools, s.p10, s.p90, s.spread]
                    for s in context["spreads"]
                ],
            )
        if export == "effect":
            return xlsx_response(
                "programme-effectiveness",
                [
                    _("Municipality"),
                    _("Programme year"),
                    _("Participant schools"),
                    _("Index rose"),
                    _("Share, %"),
                    _("Left the status"),
                    _("Share, %"),
                ],
                [
                    [
                        e.municipality.name,
                        academic_year_label(e.year),
                        e.participants,
                        e.rose,
                        None if e.share_rose is None else round(e.share_rose * 100, 1),
                        e.left_status,
                        None if e.share_left is None else round(e.share_left * 100, 1),
                    ]
                    for e in context["effects"]
                ],
            )
        return super().render_to_response(context, **response_kwargs)


class GroupResultListView(ObjectListView):
    queryset = GroupResult.objects.select_related("school", "procedure", "subject")
    table_class = GroupResultTable
    filterset_class = GroupResultFilterSet
    title = gettext_lazy("Group results")
    export_name = "group-results"


class FlagListView(ObjectListView):
    queryset = Flag.objects.select_related("school", "procedure", "subject")
    table_class = FlagTable
    filterset_class = FlagFilterSet
    title = gettext_lazy("Flags")
    export_name = "flags"
