"""Pages of the context app: results against context (chart, fit, schools), the context data
(list, one row with its history, a coordinator's form), context imports (upload → preview or
every error → confirm) and partner suggestions (one click forms the pair)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import scoping
from accounts.scoping import MANAGE, can, municipalities_overseen
from core import imports
from core.errors import add_service_errors
from core.generic import ObjectActionView, ObjectCreateView, ObjectDetailView, ObjectListView, ObjectUpdateView
from schools.selectors import history_entries
from socialcontext import selectors, services
from socialcontext.fileformat import CONTEXT_FILE, VALUE_FIELDS
from socialcontext.filters import (
    ContextImportFilterSet,
    FigureFilterSet,
    PartnerSuggestionFilterSet,
    SchoolContextFilterSet,
)
from socialcontext.forms import ContextImportForm, PairFromSuggestionForm, SchoolContextForm
from socialcontext.models import ContextImport, PartnerSuggestion, SchoolContext, SchoolContextFigure
from socialcontext.tables import ContextImportTable, FigureTable, SchoolContextTable, SuggestionTable


def _manager(user) -> bool:
    return scoping.may_import(user)


class ContextResultsView(ObjectListView):
    """Results against context for a municipality and year: the scatter chart, the fit and the
    schools with their context index, expected index, residual and category.  Without a
    choice the page opens on the reader's (first) municipality and its latest analysed year."""

    queryset = SchoolContextFigure.objects.select_related("school", "municipality")
    table_class = FigureTable
    filterset_class = FigureFilterSet
    template_name = "socialcontext/results.html"
    title = gettext_lazy("Results against the school context")
    export_name = "school-context"

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = self.request.GET.copy()
        self.municipality = selectors.municipality_for(self.request.user, data.get("municipality", ""))
        if self.municipality is not None:
            if "municipality" not in data and "year" not in data:
                data["municipality"] = str(self.municipality.pk)
            if "year" not in data:  # the latest year read against context, unless «all years» was chosen
                year = selectors.default_year(self.municipality)
                if year is not None:
                    data["year"] = str(year)
        kwargs["data"] = data
        return kwargs

    def get_table_kwargs(self):
        """A municipality or a year the filter names is not repeated on every row of the page
        (the export keeps both)."""
        kwargs = super().get_table_kwargs()
        form = self.filterset.form
        if self.request.GET.get("export") != "xlsx" and form.is_valid():
            named = [name for name in ("municipality", "year") if form.cleaned_data.get(name) not in (None, "")]
            kwargs["exclude"] = (*kwargs.get("exclude", ()), *named)
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = self.filterset.form
        cleaned = form.cleaned_data if form.is_valid() else {}
        overseen = municipalities_overseen(self.request.user)
        muni = cleaned.get("municipality") or (self.municipality if overseen.count() == 1 else None)
        if muni is not None and overseen.filter(pk=muni.pk).exists():
            year = cleaned.get("year")
            ctx["mc"] = selectors.municipal_context(muni, int(year) if year else None)
        ctx["can_manage"] = _manager(self.request.user)
        return ctx


# --- context data ---------------------------------------------------------------------------------


class SchoolContextListView(ObjectListView):
    queryset = SchoolContext.objects.select_related("school", "school__municipality")
    table_class = SchoolContextTable
    filterset_class = SchoolContextFilterSet
    template_name = "socialcontext/data_list.html"
    title = gettext_lazy("Context data of the schools")
    export_name = "school-context-data"
    create_url_name = "socialcontext:data-create"

    def render_to_response(self, context, **response_kwargs):
        """The export is a context file (its headers and values, plus the school's name and
        the row's source after them): correct it and import it back."""
        if self.request.GET.get("export") == "xlsx":
            from core.xlsx import xlsx_response
            from core.years import academic_year_label

            rows = [
                [
                    r.school.code,
                    academic_year_label(r.year),
                    *(getattr(r, f) for f in VALUE_FIELDS),
                    r.school.short_name,
                    r.school.municipality.name,
                    r.get_source_display(),
                ]
                for r in self.filterset.qs
            ]
            headers = [*CONTEXT_FILE.headers, _("School"), _("Municipality"), _("Source")]
            return xlsx_response(self.export_name, headers, rows, sheet=CONTEXT_FILE.sheet)
        return super().render_to_response(context, **response_kwargs)


class SchoolContextDetailView(ObjectDetailView):
    queryset = SchoolContext.objects.select_related("school", "school__municipality", "batch")
    template_name = "socialcontext/data_detail.html"
    context_object_name = "row"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = can(self.request.user, MANAGE, self.object)
        ctx["history"] = history_entries(self.object.history.all())
        batch = self.object.batch_id
        ctx["batch_visible"] = (
            bool(batch) and ContextImport.objects.restrict(self.request.user).filter(pk=batch).exists()
        )
        ctx.update(selectors.school_year_context(self.object.school, self.object.year))
        return ctx


class _SchoolContextFormMixin:
    model = SchoolContext
    form_class = SchoolContextForm

    def form_valid(self, form):
        try:
            self.object = services.school_context_save(context=form.save(commit=False), user=self.request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The context row has been saved; the context analysis is updated."))
        return redirect(self.object.get_absolute_url())


class SchoolContextCreateView(_SchoolContextFormMixin, ObjectCreateView):
    title = gettext_lazy("Enter the context of a school")

    def get_initial(self):
        initial = super().get_initial()
        for key in ("school", "year"):
            if self.request.GET.get(key, "").isdigit():
                initial[key] = int(self.request.GET[key])
        return initial


class SchoolContextUpdateView(_SchoolContextFormMixin, ObjectUpdateView):
    queryset = SchoolContext.objects.select_related("school")
    title = gettext_lazy("Correct the context of a school")


# --- imports --------------------------------------------------------------------------------------


class ImportUploadView(imports.ImportUploadView):
    service = services.CONTEXT_IMPORT
    form_class = ContextImportForm
    template_name = "socialcontext/import_form.html"


class ImportListView(imports.ImportListView):
    service = services.CONTEXT_IMPORT
    table_class = ContextImportTable
    filterset_class = ContextImportFilterSet
    title = gettext_lazy("Context imports")
    export_name = "context-imports"


class ImportDetailView(imports.ImportDetailView):
    """A checked file: its rows as they would be imported, new or replacing (with the values
    they replace), and the buttons to import or cancel; a refused one: every error."""

    template_name = "socialcontext/import_detail.html"
    service = services.CONTEXT_IMPORT

    def preview(self, batch) -> dict:
        rows, total = services.context_import_preview(batch)
        columns = [SchoolContext._meta.get_field(f).verbose_name for f in VALUE_FIELDS]
        return {"preview": rows, "preview_total": total, "preview_columns": columns}


# --- partner suggestions ---------------------------------------------------------------------------


class SuggestionListView(ObjectListView):
    queryset = PartnerSuggestion.objects.select_related("school", "partner", "municipality")
    table_class = SuggestionTable
    filterset_class = PartnerSuggestionFilterSet
    template_name = "socialcontext/suggestion_list.html"
    title = gettext_lazy("Partner suggestions")
    export_name = "partner-suggestions"


def _pair_from_suggestion(view, suggestion):
    form = PairFromSuggestionForm(view.request.POST, user=view.request.user)
    if not form.is_valid():
        raise ValidationError([error for errors in form.errors.values() for error in errors])
    return services.pair_from_suggestion(
        suggestion=suggestion, user=view.request.user, year=form.cleaned_data["year"], order=form.cleaned_data["order"]
    )


class PairFromSuggestionView(ObjectActionView):
    """One click on a suggestion forms the pair, through the service of the pair form; the
    pair year and the order come with the click (chosen once above the list)."""

    queryset = PartnerSuggestion.objects.all()
    scope_action = MANAGE
    actions = {
        "pair": (
            _pair_from_suggestion,
            lambda pair: _("The partner pair «%(pair)s» has been formed.") % {"pair": pair},
        )
    }
    default_action = "pair"

    def get_success_url(self, suggestion) -> str:
        return reverse("curators:pair-list")
