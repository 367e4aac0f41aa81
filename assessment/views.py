from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from accounts import scoping
from accounts.models import Role
from accounts.scoping import MANAGE, VIEW, municipalities_overseen, schools_for
from assessment import selectors, services
from assessment.fileformat import template_bytes
from assessment.filters import (
    FlagFilterSet,
    GroupResultFilterSet,
    ImportBatchFilterSet,
    SchoolIndexFilterSet,
    TeacherDynamicsFilterSet,
)
from assessment.forms import ImportForm
from assessment.models import Flag, GroupResult, ImportBatch, SchoolIndex
from assessment.tables import FlagTable, GroupResultTable, ImportBatchTable, SchoolIndexTable, TeacherDynamicsTable
from assessment.templatetags.assessment_flags import flag_rule, teacher_grades
from core.cache import scope_key
from core.charts import line_chart
from core.compiled import prepared, prepared_aggregate, prepared_count
from core.generic import ObjectActionView, ObjectDetailView, ObjectListView, PreparedObjectMixin
from core.xlsx import workbook_bytes, xlsx_file_response, xlsx_response
from core.years import academic_year_label
from schools.models import School


class ImportUploadView(LoginRequiredMixin, FormView):
    form_class = ImportForm
    template_name = "assessment/import_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scoping.may_import(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        with transaction.atomic():
            batch = services.import_batch_create(
                user=self.request.user, uploaded_file=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
            )
            transaction.on_commit(lambda: services.import_batch_queue(batch_id=batch.pk))
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
        ctx["can_rollback"] = (
            batch.status == "done" and not batch.dry_run and scoping.may_redo_import(self.request.user, batch)
        )
        ctx["can_restart"] = batch.is_stale and scoping.may_redo_import(self.request.user, batch)
        ctx["errors_page"] = Paginator(batch.errors, 500).get_page(self.request.GET.get("page"))
        return ctx


class ImportRollbackView(ObjectActionView):
    queryset = ImportBatch.objects.all()
    scope_action = MANAGE
    actions = {
        "rollback": (
            lambda view, batch: services.import_batch_rollback(batch=batch, user=view.request.user),
            gettext_lazy("The import has been rolled back."),
        )
    }
    default_action = "rollback"
    confirm_required = ("rollback",)

    def get_refused_url(self, obj, action):
        return obj.get_absolute_url() + "#rollback"


class ImportRestartView(ObjectActionView):
    """Run again an import whose worker died (or whose message was lost): see ImportBatch.is_stale."""

    queryset = ImportBatch.objects.all()
    scope_action = MANAGE
    actions = {
        "restart": (
            lambda view, batch: services.import_batch_restart(batch=batch, user=view.request.user),
            gettext_lazy("The import has been queued again."),
        )
    }
    default_action = "restart"


class ImportErrorReportView(LoginRequiredMixin, View):
    def get(self, request, pk):
        batch = get_object_or_404(ImportBatch.objects.restrict(request.user, VIEW), pk=pk, status="failed")
        content, ext, mime = services.import_error_report(batch)
        response = HttpResponse(content, content_type=mime)
        response["Content-Disposition"] = f'attachment; filename="errors-{batch.pk}.{ext}"'
        return response


class ImportTemplateView(LoginRequiredMixin, View):
    def get(self, request):
        return xlsx_file_response(template_bytes(), "results-template")


class SchoolResultsView(PreparedObjectMixin, ObjectDetailView):
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
    flag_rows = [[academic_year_label(f.year), *_flag_cells(f)] for f in o.get("flags", [])]
    teacher_rows = [
        [
            academic_year_label(f.year),
            f.teacher_code,
            str(f.procedure),
            str(f.subject),
            teacher_grades(f),
            *(f.inputs.get(k) for k in ("participants", "previous_mean_percent", "mean_percent", "change")),
        ]
        for f in o.get("teacher_flags", [])
    ]
    risk_rows = [[r["subject"], *r["counts"]] for r in o.get("risk_rows", [])]
    content = workbook_bytes(
        {
            _("Results"): (
                [_("Procedure"), _("Subject"), _("Year"), _("Participants"), _("Mean, %"), _("«2», %")],
                results,
            ),
            _("Flags"): ([_("Year"), *FLAG_HEADERS()], flag_rows),
            _("Teachers' dynamics"): (
                [
                    _("Year"),
                    _("Teacher (anonymous code)"),
                    _("Procedure"),
                    _("Subject"),
                    _("Grades"),
                    _("Participants"),
                    _("Mean a year before, %"),
                    _("Mean, %"),
                    _("Change, points"),
                ],
                teacher_rows,
            ),
            _("Risk zone"): ([_("Subject"), *labels], risk_rows),
        }
    )
    return xlsx_file_response(content, f"results-{school.code}")


# A school flag in the xlsx: one number per cell (the numbers behind each kind of flag).
FLAG_INPUTS = (
    ("participants", 1),
    ("mean_percent", 1),
    ("municipal_mean_percent", 1),
    ("previous_mean_percent", 1),
    ("change", 1),
    ("share_fail", 100),
    ("with_both", 1),
    ("lowered", 100),
    ("raised", 100),
)


def FLAG_HEADERS() -> list[str]:
    return [
        _("Flag"),
        _("Procedure"),
        _("Subject"),
        _("Grade"),
        _("Participants"),
        _("Mean, %"),
        _("Municipality's mean, %"),
        _("Mean a year before, %"),
        _("Change, points"),
        _("«2», %"),
        _("Students with both marks"),
        _("Lowered, %"),
        _("Raised, %"),
        _("Rule"),
    ]


def _flag_cells(flag) -> list:
    inputs = flag.inputs or {}
    numbers = [None if inputs.get(k) is None else round(inputs[k] * scale, 2) for k, scale in FLAG_INPUTS]
    return [flag.get_kind_display(), str(flag.procedure), str(flag.subject), flag.grade, *numbers, flag_rule(flag)]


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


class LatestYearMixin:
    """A results list opens on the latest year with results in the reader's scope, not on
    every year mixed; «Все» in the year filter (``?year=``) still shows every year."""

    def latest_year(self) -> int | None:
        if not hasattr(self, "_latest_year"):
            user = self.request.user
            # selectors.results_year of the reader's schools, prepared per scope (core/compiled.py)
            self._latest_year = prepared_aggregate(
                ("assessment.latest_year", scope_key(user)),
                lambda: selectors.results_of(schools_for(user, VIEW)),
                y=Max("year"),
            )["y"]
        return self._latest_year

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if "year" not in self.request.GET and self.latest_year() is not None:
            data = self.request.GET.copy()
            data["year"] = str(self.latest_year())
            kwargs["data"] = data
        return kwargs


class MunicipalityResultsView(LatestYearMixin, ObjectListView):
    """Schools with their index (sortable), candidates with the reason, spread and programme effectiveness."""

    queryset = SchoolIndex.objects.select_related("school", "municipality")
    table_class = SchoolIndexTable
    filterset_class = SchoolIndexFilterSet
    template_name = "assessment/municipality.html"
    export_name = "school-indices"

    @property
    def title(self):
        # A region's reader reads the region's municipalities, not «the municipality».
        user = self.request.user
        if getattr(user, "role", "") == Role.REGIONAL_COORDINATOR and user.region_id:
            return _("Results of the region: %(region)s") % {"region": user.region}
        if prepared_count(("assessment.overseen", scope_key(user)), lambda: municipalities_overseen(user)) > 1:
            return _("Results of the municipalities")
        return _("Results of the municipality")

    def _of_municipality(self, name: str, selector) -> list:
        """``selector(user)`` of the ``?municipality=`` the page names (all the reader's without
        one), prepared per scope (core/compiled.py), the municipality's id as argument."""
        user = self.request.user
        value = self.request.GET.get("municipality")
        key = ("assessment", name, scope_key(user))
        if value and value.isdigit():
            return list(prepared((*key, "one"), lambda m: selector(user).filter(municipality_id=m), int(value)))
        return list(prepared(key, lambda: selector(user)))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["spreads"] = spreads = self._of_municipality("spreads", selectors.spreads)
        ctx["effects"] = effects = self._of_municipality("effects", selectors.programme_effects)
        ctx["run"] = next(iter(prepared(("assessment.last_run",), lambda: selectors.last_runs()[:1])), None)
        ctx["show_municipality"] = len({s.municipality_id for s in [*spreads, *effects]}) > 1
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


class GroupResultListView(LatestYearMixin, ObjectListView):
    queryset = GroupResult.objects.select_related("school", "procedure", "subject")
    table_class = GroupResultTable
    filterset_class = GroupResultFilterSet
    title = gettext_lazy("Group results")
    export_name = "group-results"
    template_name = "core/object_list_wide.html"  # fourteen columns: the table gets the page's width


class FlagListView(LatestYearMixin, ObjectListView):
    queryset = selectors.school_flags(Flag.objects.select_related("school", "procedure", "subject"))
    table_class = FlagTable
    filterset_class = FlagFilterSet
    title = gettext_lazy("Flags")
    export_name = "flags"


class TeacherDynamicsListView(LatestYearMixin, ObjectListView):
    """Teachers' negative dynamics: a list of its own, never part of a school's flags."""

    queryset = selectors.teacher_dynamics(Flag.objects.select_related("school", "procedure", "subject"))
    table_class = TeacherDynamicsTable
    filterset_class = TeacherDynamicsFilterSet
    title = gettext_lazy("Teachers with negative dynamics")
    export_name = "teacher-dynamics"
    template_name = "assessment/teacher_list.html"

    def get_context_data(self, **kwargs):
        from django.conf import settings

        ctx = super().get_context_data(**kwargs)
        ctx["drop"] = f"{settings.ASSESSMENT_DYNAMICS_DROP_POINTS:g}"
        return ctx
