"""The regional pages: the municipalities compared, the region-wide list of ШНОР and
candidates, the results by procedure and subject, and the regional report.  Thin: the
figures come from regional.selectors, the scope from accounts.scoping."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_tables2 import RequestConfig

from accounts.scoping import (
    may_compare_municipalities,
    may_oversee_municipalities,
    municipalities_overseen,
    regions_overseen,
    schools_for,
)
from core.charts import small_multiples
from core.generic import ObjectListView
from core.xlsx import xlsx_response
from core.years import academic_year_label
from regional import selectors
from regional.filters import MunicipalitySummaryFilterSet, RegionalSchoolFilterSet, figure_options
from regional.forms import RegionalReportForm
from regional.tables import FigureColumn, RegionalSchoolTable, ResultsTable, dashboard_table, typed
from schools.models import School


class RegionScopeMixin(LoginRequiredMixin):
    """Pages for those who oversee municipalities as a whole (404 for anyone else); the rows
    are the municipalities they oversee, narrowed to one region at a time."""

    filterset_class = MunicipalitySummaryFilterSet

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_oversee_municipalities(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_report"] = may_compare_municipalities(self.request.user)
        return ctx

    def scope(self) -> dict:
        """The filter, the region shown (one the user oversees as a whole, else None), its
        municipalities and the figures' options (the year defaults to the latest analysed,
        and the form shows it)."""
        user = self.request.user
        base = municipalities_overseen(user).select_related("region").order_by("name")
        data = self.request.GET.copy()
        if not data.get("year"):
            regions = base.values_list("region_id", flat=True).distinct()
            data["year"] = str(selectors.default_year(list(regions)))
        filterset = self.filterset_class(data, queryset=base, request=self.request)
        if regions_overseen(user).count() <= 1:
            filterset.form.fields.pop("region", None)  # nothing to choose between
        options = figure_options(filterset)
        valid = filterset.is_valid()
        municipalities = filterset.qs if valid else base
        region = filterset.form.cleaned_data.get("region") if valid else None
        if region is None:
            region = regions_overseen(user).filter(municipalities__in=base).distinct().order_by("name").first()
        if region is not None:
            municipalities = municipalities.filter(region=region)
        options["year"] = options["year"] or selectors.default_year([region.pk] if region else [])
        return {"filter": filterset, "region": region, "municipalities": municipalities, **options}


def _flatten(rows: list[selectors.SummaryRow], year: int) -> tuple[list[dict], dict | None]:
    """Table rows (this year's figures, last year's as ``<key>__prev``) and the region's total."""
    flat, total = [], None
    for row in rows:
        this, prev = row.values.get(year, {}), row.values.get(year - 1, {})
        item = {
            "municipality": row.municipality.name if row.municipality else _("Region, total"),
            "municipality_id": row.municipality.pk if row.municipality else None,
            "year": year,
            **this,
            **{f"{k}__prev": v for k, v in prev.items()},
        }
        if row.is_total:
            total = item
        else:
            flat.append(item)
    return flat, total


def figure_chart(
    figure: selectors.Figure, flat: list[dict], total: dict | None, year: int, columns: int, width: int = 640
) -> str:
    """The figure's small multiples: a panel per municipality (and the region), two years each."""
    lines = [*flat, *([total] if total else [])]
    panels = [
        (
            r["municipality"],
            [_chart_value(r.get(f"{figure.key}__prev"), figure), _chart_value(r.get(figure.key), figure)],
        )
        for r in lines
    ]
    return small_multiples(
        panels,
        [academic_year_label(year - 1), academic_year_label(year)],
        title=str(figure.label),
        columns=columns,
        width=width,
        unit=" %" if figure.kind == "share" else "",
        max_value=100 if figure.kind == "share" else None,
        highlight=total["municipality"] if total else "",
    )


def _chart_value(value, figure: selectors.Figure):
    if value is None:
        return None
    return value * 100 if figure.kind == "share" else value


class RegionalDashboardView(RegionScopeMixin, TemplateView):
    """The municipalities of the region compared, this year beside last year."""

    template_name = "regional/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        scope = self.scope()
        year = scope["year"]
        rows = selectors.municipality_summary(
            scope["municipalities"],
            year,
            procedure=scope["procedure"],
            subject=scope["subject"],
            region=scope["region"],
        )
        flat, total = _flatten(rows, year)
        group = self.request.GET.get("group") if self.request.GET.get("group") in selectors.GROUPS else "programme"
        figures = [f for f in selectors.FIGURES if f.group == group]
        table = dashboard_table(flat, total, figures, self.request.GET.get("sort"))
        RequestConfig(self.request, paginate=False).configure(table)
        chart_key = self.request.GET.get("chart")
        figure = next((f for f in figures if f.key == chart_key), figures[0])
        ctx.update(
            scope,
            title=_("Municipalities compared"),
            active="dashboard",
            year_label=academic_year_label(year),
            previous_label=academic_year_label(year - 1),
            table=table,
            rows=flat,
            total=total,
            groups=selectors.GROUPS,
            group=group,
            figures=figures,
            chart_figure=figure,
            chart_wide=figure_chart(figure, flat, total, year, 4),
            chart_narrow=figure_chart(figure, flat, total, year, 2, width=360),
        )
        return ctx

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get("export") == "xlsx":
            return summary_xlsx(context["rows"], context["total"], context["year"])
        return super().render_to_response(context, **response_kwargs)


def summary_xlsx(rows: list[dict], total: dict | None, year: int):
    """The comparison as typed xlsx: two columns per figure (this year, last year), numbers as numbers."""
    this, prev = academic_year_label(year), academic_year_label(year - 1)
    headers = [_("Municipality")]
    for f in selectors.FIGURES:
        unit = ", %" if f.kind == "share" else ""
        headers += [f"{f.label}{unit} — {this}", f"{f.label}{unit} — {prev}"]
    body = []
    for r in [*rows, *([total] if total else [])]:
        line = [r["municipality"]]
        for f in selectors.FIGURES:
            line += [typed(r.get(f.key), f.kind), typed(r.get(f"{f.key}__prev"), f.kind)]
        body.append(line)
    return xlsx_response(f"municipalities-{year}", headers, body)


class RegionalSchoolListView(RegionScopeMixin, ObjectListView):
    """Every ШНОР school and low-result candidate of the region with its municipality, the
    school's index in its municipality and, as its own column, its index in the region."""

    queryset = School.objects.select_related("municipality")
    table_class = RegionalSchoolTable
    filterset_class = RegionalSchoolFilterSet
    title = gettext_lazy("ШНОР and candidates of the region")
    export_name = "region-schools"
    template_name = "regional/school_list.html"

    def year(self) -> int:
        from core.years import parse_academic_year

        year = parse_academic_year(self.request.GET.get("year", ""))
        if year is None:
            regions = municipalities_overseen(self.request.user).values_list("region_id", flat=True).distinct()
            year = selectors.default_year(list(regions))
        return year

    def get_queryset(self):
        from assessment.models import SchoolIndex
        from curators.models import CuratorAssignment
        from regional.models import RegionalSchoolIndex
        from schools.models import StatusKind
        from schools.selectors import schools_with_status

        year = self.year()
        schools = schools_for(self.request.user).filter(municipality__in=municipalities_overseen(self.request.user))
        low = schools_with_status(School.objects.all(), StatusKind.LOW_RESULTS, year).filter(pk=OuterRef("pk"))
        index = SchoolIndex.objects.filter(school=OuterRef("pk"), year=year)
        regional = RegionalSchoolIndex.objects.filter(school=OuterRef("pk"), year=year)
        curated = CuratorAssignment.objects.filter(
            school=OuterRef("pk"), year=year, is_active=True, role__in=selectors.CURATOR_ROLES
        )
        visits = selectors.visits_subquery(year)
        return (
            self.queryset.filter(pk__in=schools.values("pk"))
            .annotate(
                is_low=Exists(low),
                is_candidate=Exists(index.filter(candidate=True)),
                is_regional_candidate=Exists(regional.filter(candidate=True)),
                municipal_index=Subquery(index.values("value")[:1]),
                regional_index=Subquery(regional.values("value")[:1]),
                curated=Exists(curated),
                visits_in_year=visits,
            )
            .filter(Exists(low) | Exists(index.filter(candidate=True)) | Exists(regional.filter(candidate=True)))
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = self.request.GET.copy()
        data.setdefault("year", str(self.year()))  # the form shows the year the list is of
        kwargs["data"] = data
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["year_label"] = academic_year_label(self.year())
        return ctx


class RegionalResultsView(RegionScopeMixin, TemplateView):
    """Results per municipality, procedure and subject, pooled from the rows, two years."""

    template_name = "regional/results.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        scope = self.scope()
        year = scope["year"]
        munis = {m.pk: m for m in scope["municipalities"]}
        rows = selectors.results_by_subject(
            list(munis), [year - 1, year], procedure=scope["procedure"], subject=scope["subject"]
        )
        flat = []
        for r in rows:
            item = {
                "municipality": munis[r["municipality_id"]].name,
                "procedure": r["procedure"],
                "subject": r["subject"],
            }
            for y, suffix in ((year, ""), (year - 1, "__prev")):
                for k, v in (r["years"].get(y) or {}).items():
                    item[k + suffix] = v
            flat.append(item)
        table = results_table(flat, year)
        RequestConfig(self.request, paginate={"per_page": 100}).configure(table)
        ctx.update(
            scope,
            title=_("Results by municipality"),
            active="results",
            table=table,
            rows=flat,
            year_label=academic_year_label(year),
        )
        return ctx

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get("export") == "xlsx":
            from core.xlsx import table_rows

            table = results_table(context["rows"], context["year"])
            headers, body = table_rows(table)
            return xlsx_response(f"results-by-municipality-{context['year']}", headers, body)
        return super().render_to_response(context, **response_kwargs)


RESULT_FIGURES = [f for f in selectors.FIGURES if f.group == "results"]


def results_table(rows: list[dict], year: int):
    return ResultsTable(rows, extra_columns=[(f.key, FigureColumn(f)) for f in RESULT_FIGURES])


class RegionalReportView(LoginRequiredMixin, TemplateView):
    """The regional report: a form (year, format, and the region for a superuser) and the
    document it asks for — PDF in the browser, .docx to download."""

    template_name = "regional/report.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_compare_municipalities(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        form = RegionalReportForm(request.GET or None, user=request.user)
        if request.GET.get("fmt") and form.is_valid():
            from django.utils import timezone

            from core.errors import add_service_errors
            from reports.requisites import RequisitesMissing, regional_requisites

            try:
                regional_requisites(form.cleaned_data["region"], timezone.localdate()).require()
            except RequisitesMissing as exc:
                # Refused, saying what to fill in and where: an unsigned report is not a document.
                add_service_errors(form, exc)
                return self.render_to_response(self.get_context_data(form=form, title=_("Regional report")), status=400)
            return self.document(form.cleaned_data)
        return self.render_to_response(self.get_context_data(form=form, title=_("Regional report")))

    def document(self, data):
        from django.http import HttpResponse

        from regional.documents import regional_report_pdf
        from regional.docx import regional_report_docx
        from reports.pdf import pdf_response

        region, year = data["region"], int(data["year"])
        name = f"regional-report-{region.code or region.pk}-{year}"
        if data["fmt"] == "docx":
            response = HttpResponse(
                regional_report_docx(region, year),
                content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
            return response
        pdf, _pages = regional_report_pdf(region, year)
        return pdf_response(pdf, name)
