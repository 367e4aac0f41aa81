"""Pages of the programme side: orders registry, statuses and yearly lists, programmes,
risk profiles and the heat-map.  Thin: each declares its pieces; writes go to services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from accounts import scoping
from accounts.scoping import EDIT, MANAGE, VIEW, can, municipalities_for, municipalities_overseen, schools_for
from core.charts import bar_chart
from core.errors import add_service_errors, service_error_messages
from core.generic import ObjectCreateView, ObjectDetailView, ObjectListView, ObjectUpdateView
from core.years import academic_year_choices, academic_year_label, current_academic_year
from schools import selectors, services
from schools.filters import OrderFilterSet, ProgrammeFilterSet, SchoolStatusFilterSet
from schools.forms import OrderForm, ProgrammeForm, RiskProfileForm, SchoolStatusForm, StatusListForm
from schools.models import Order, Programme, RiskAssessment, School, SchoolStatus, StatusKind
from schools.tables import OrderTable, ProgrammeTable, SchoolStatusTable


def chosen_municipality(request, munis):
    """The municipality named by ``?municipality=`` among ``munis``, else the first of them."""
    value = request.GET.get("municipality", "")
    found = munis.filter(pk=int(value)).first() if value.isdigit() else None
    return found or munis.first()


# --- Orders --------------------------------------------------------------------------


class OrderListView(ObjectListView):
    queryset = Order.objects.select_related("municipality")
    table_class = OrderTable
    filterset_class = OrderFilterSet
    title = _("Orders and letters")
    export_name = "orders"
    create_url_name = "schools:order-create"


class OrderDetailView(ObjectDetailView):
    queryset = Order.objects.select_related("municipality", "region", "created_by")
    template_name = "schools/order_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        order = self.object
        ctx["can_manage"] = can(self.request.user, MANAGE, order)
        # Every status the order grounds: those it began and those its yearly list kept on.
        ctx["statuses"] = (
            SchoolStatus.objects.restrict(self.request.user)
            .filter(Q(order=order) | Q(confirmed_by=order))
            .distinct()
            .select_related("school")
            .order_by("school__sort_name", "kind")
        )
        ctx["ended"] = SchoolStatus.objects.restrict(self.request.user).filter(end_order=order).select_related("school")
        ctx["history"] = selectors.history_entries(order.history.all())
        return ctx


class OrderCreateView(ObjectCreateView):
    model = Order
    form_class = OrderForm
    title = _("New order")
    success_message = _("The order has been added to the registry.")

    def get_initial(self):
        """From a draft made by the portal («Register the signed order»): which draft, its
        year, title and municipality, so the registry links the signed order to the draft."""
        initial = super().get_initial()
        for name in ("municipality", "draft_kind", "draft_year", "title", "issuer"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name][:1000]
        return initial

    def get_success_url(self) -> str:
        return reverse("schools:order-detail", args=[self.object.pk])


class OrderUpdateView(ObjectUpdateView):
    model = Order
    form_class = OrderForm
    title = _("Edit order")
    success_message = _("The order has been saved.")

    def get_success_url(self) -> str:
        return reverse("schools:order-detail", args=[self.object.pk])


# --- Statuses and yearly lists ---------------------------------------------------------


class SchoolStatusListView(ObjectListView):
    queryset = SchoolStatus.objects.select_related("school", "order", "end_order")
    table_class = SchoolStatusTable
    filterset_class = SchoolStatusFilterSet
    title = _("School statuses")
    export_name = "statuses"
    create_url_name = "schools:status-create"
    template_name = "schools/status_list.html"

    def get_table_kwargs(self):
        if scoping.may_set_status_lists(self.request.user):
            return {}
        return {"exclude": ("edit",)}


class StatusServiceFormMixin:
    def form_valid(self, form):
        data = form.cleaned_data
        try:
            if self.object and self.object.pk:
                self.object = services.status_update(
                    user=self.request.user,
                    status=self.object,
                    kind=data["kind"],
                    year_from=data["year_from"],
                    year_to=data.get("year_to"),
                    order=data["order"],
                    end_order=data.get("end_order"),
                    note=data.get("note", ""),
                    school=data["school"],
                )
            else:
                self.object = services.status_create(
                    user=self.request.user,
                    school=data["school"],
                    kind=data["kind"],
                    year_from=data["year_from"],
                    year_to=data.get("year_to"),
                    order=data["order"],
                    note=data.get("note", ""),
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("The status has been saved."))
        return redirect("schools:school-detail", self.object.school_id)


class SchoolStatusCreateView(StatusServiceFormMixin, ObjectCreateView):
    model = SchoolStatus
    form_class = SchoolStatusForm
    title = _("New status")

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("school"):
            initial["school"] = self.request.GET["school"]
        return initial


class SchoolStatusUpdateView(StatusServiceFormMixin, ObjectUpdateView):
    model = SchoolStatus
    form_class = SchoolStatusForm
    title = _("Edit status")
    template_name = "schools/status_form.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["history"] = selectors.history_entries(self.object.history.all())
        return ctx


class StatusListSetView(LoginRequiredMixin, FormView):
    """«ШНОР for 2022/2023 per order № …: these schools» in one step."""

    form_class = StatusListForm
    template_name = "schools/status_list_set.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scoping.may_set_status_lists(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        munis = municipalities_for(self.request.user, MANAGE)
        muni = chosen_municipality(self.request, munis)
        kind = self.request.GET.get("kind")
        kind = kind if kind in StatusKind.values else StatusKind.LOW_RESULTS
        year = _year_param(self.request)
        initial.update(municipality=muni, kind=kind, year=year)
        if muni:
            initial["schools"] = list(services.holders(muni, kind, year).values_list("school_id", flat=True))
        return initial

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            result = services.status_list_set(
                d["municipality"], d["kind"], d["year"], d["schools"], d["order"], self.request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext("The list for %(year)s is saved: %(entered)s entered, %(stayed)s stayed, %(left)s left.")
            % {
                "year": academic_year_label(d["year"]),
                "entered": len(result["entered"]),
                "stayed": len(result["stayed"]),
                "left": len(result["left"]),
            },
        )
        url = reverse("schools:status-movement")
        return redirect(f"{url}?municipality={d['municipality'].pk}&kind={d['kind']}&year={d['year']}")


class StatusMovementView(LoginRequiredMixin, TemplateView):
    """Per year: how many schools entered, stayed in and left a status, with a chart."""

    template_name = "schools/status_movement.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Names of every school that entered or left: for those who oversee the municipality.
        munis = municipalities_overseen(self.request.user)
        if not munis.exists():
            raise Http404
        muni = chosen_municipality(self.request, munis)
        kind = self.request.GET.get("kind") or StatusKind.LOW_RESULTS
        if kind not in StatusKind.values:
            kind = StatusKind.LOW_RESULTS
        ctx.update(municipalities=munis, municipality=muni, kind=kind, kinds=StatusKind.choices)
        ctx["kind_label"] = StatusKind(kind).label
        if muni is None:
            return ctx
        until = self.request.GET.get("year", "")
        until = int(until) if until.isdigit() and 2000 <= int(until) <= 2100 else None
        rows = selectors.status_movement(muni, kind, selectors.status_years(muni, kind, until=until))
        names = dict(School.objects.filter(municipality=muni).values_list("id", "short_name"))
        for r in rows:
            r["entered_names"] = sorted(names[i] for i in r["entered_ids"])
            r["left_names"] = sorted(names[i] for i in r["left_ids"])
        ctx["rows"] = rows
        ctx["can_manage"] = can(self.request.user, MANAGE, muni)
        labels = [academic_year_label(r["year"]) for r in rows]
        ctx["chart_total"] = bar_chart(labels, [r["total"] for r in rows], title=gettext("Schools holding the status"))
        ctx["chart_left"] = bar_chart(
            labels, [r["left"] for r in rows], title=gettext("Schools that left the status"), color="#4f8a3c"
        )
        return ctx


# --- Programmes ----------------------------------------------------------------------


class ProgrammeListView(ObjectListView):
    queryset = (
        Programme.objects.select_related("municipality", "order")
        .annotate(participants_count=Count("participants"))
        .order_by("-year", "name")
    )
    table_class = ProgrammeTable
    filterset_class = ProgrammeFilterSet
    title = _("Support programmes")
    export_name = "programmes"
    create_url_name = "schools:programme-create"


class ProgrammeDetailView(ObjectDetailView):
    queryset = Programme.objects.select_related("municipality", "order")
    template_name = "schools/programme_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["participants"] = self.object.participants.select_related("school")
        ctx["can_manage"] = can(self.request.user, MANAGE, self.object)
        ctx["history"] = selectors.history_entries(self.object.history.all())
        return ctx


class ProgrammeFormMixin:
    def form_valid(self, form):
        from django.db import transaction

        try:
            with transaction.atomic():
                self.object = form.save()
                services.programme_participants_set(self.object, form.cleaned_data["schools"], self.request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("The programme has been saved."))
        return redirect(self.object.get_absolute_url())


class ProgrammeCreateView(ProgrammeFormMixin, ObjectCreateView):
    model = Programme
    form_class = ProgrammeForm
    title = _("New support programme")


class ProgrammeUpdateView(ProgrammeFormMixin, ObjectUpdateView):
    model = Programme
    form_class = ProgrammeForm
    title = _("Edit support programme")


# --- Risk profiles ---------------------------------------------------------------------


def _year_param(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or current_academic_year())
    except ValueError:
        year = current_academic_year()
    return year


class RiskProfileView(LoginRequiredMixin, FormView):
    """A school's risk profile of a year: the school fills it, its curator confirms it."""

    template_name = "schools/risk_profile.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.school = get_object_or_404(schools_for(request.user, VIEW), pk=kwargs["pk"])
        self.year = _year_param(request)
        self.can_edit = can(request.user, EDIT, self.school)
        self.can_confirm = scoping.may_confirm_risks(request.user, self.school, self.year)
        if request.method == "POST" and not (self.can_edit or self.can_confirm):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return RiskProfileForm(**self.get_form_kwargs(), school=self.school, year=self.year, user=self.request.user)

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            try:
                n = services.risk_profile_confirm(school=self.school, year=self.year, user=request.user)
                messages.success(request, gettext("Risk profile confirmed (%(n)s factors).") % {"n": n})
            except ValidationError as exc:
                service_error_messages(request, exc)
            return redirect(self._url())
        if not self.can_edit:
            raise Http404
        return super().post(request, *args, **kwargs)

    def _url(self) -> str:
        return reverse("schools:risk-profile", args=[self.school.pk]) + f"?year={self.year}"

    def form_valid(self, form):
        try:
            services.risk_profile_save(
                school=self.school,
                year=self.year,
                levels=form.levels(),
                comments=form.comments(),
                user=self.request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("The risk profile has been saved."))
        return redirect(self._url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            school=self.school,
            year=self.year,
            years=academic_year_choices(span_back=6),
            can_edit=self.can_edit,
            can_confirm=self.can_confirm,
        )
        assessments = RiskAssessment.objects.filter(school=self.school, year=self.year)
        ctx["pending"] = assessments.filter(confirmed_at__isnull=True).count()
        ctx["total"] = assessments.count()
        history = list(
            RiskAssessment.history.filter(school_id=self.school.pk)
            .select_related("history_user", "factor")
            .order_by("-history_date")[:30]
        )
        for h in history:
            h.change_text = f"{academic_year_label(h.year)} · {h.factor.name}: {h.get_level_display()}"
            if h.confirmed_at:
                h.change_text += " ✓"
        ctx["history"] = history
        return ctx


class RiskHeatmapView(LoginRequiredMixin, TemplateView):
    template_name = "schools/risk_heatmap.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        munis = municipalities_for(self.request.user, VIEW)
        muni = chosen_municipality(self.request, munis)
        year = _year_param(self.request)
        ctx.update(municipalities=munis, municipality=muni, year=year, years=academic_year_choices(span_back=6))
        if muni is not None:
            schools = schools_for(self.request.user, VIEW).filter(municipality=muni)
            ctx["heat"] = selectors.risk_heatmap(schools, year)
        return ctx


# --- Requisites of the documents ------------------------------------------------------


@login_required
def requisites_edit(request, pk: int | None = None):
    """The requisites the municipality's documents print: the lines above the issuing body,
    its name, the place of issue and the heads of the authority with their terms (the one in
    office on a document's date signs it).  For those who manage the municipality."""
    from django.shortcuts import render

    from schools.forms import HeadFormSet, RequisitesForm

    manageable = municipalities_for(request.user, MANAGE).order_by("name")
    if pk is None:
        first = manageable.first()
        if first is None:
            raise Http404
        return redirect("schools:requisites-edit", pk=first.pk)
    municipality = get_object_or_404(manageable, pk=pk)
    form = RequisitesForm(request.POST or None, instance=municipality, prefix="m")
    heads = HeadFormSet(request.POST or None, instance=municipality, prefix="heads")
    if request.method == "POST" and form.is_valid() and heads.is_valid():
        from django.db import transaction

        with transaction.atomic():
            form.save()
            heads.save()
        messages.success(request, gettext("The requisites of the documents have been saved."))
        return redirect("schools:requisites-edit", pk=municipality.pk)
    return render(
        request,
        "schools/requisites_form.html",
        {
            "municipality": municipality,
            "others": manageable.exclude(pk=municipality.pk),
            "form": form,
            "heads": heads,
            "title": _("Requisites of the documents"),
        },
        status=400 if request.method == "POST" else 200,
    )
