"""Pages of the curators app: assignments (list and the school → curators grid), workload,
partner pairs, visits with lessons and recommendations, and the visit planner."""

from crispy_forms.layout import Submit
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView, UpdateView

from accounts import scoping
from accounts.scoping import (
    MANAGE,
    VIEW,
    can,
    may_manage_assignments,
    municipalities_for,
    restrict,
    schools_for,
    visit_schools,
)
from core.drafts import draft_saved, draft_version
from core.errors import add_service_errors
from core.generic import ObjectActionView, ObjectCreateView, ObjectDetailView, ObjectListView, ObjectUpdateView
from core.years import academic_year_choices, academic_year_label, current_academic_year
from curators import selectors, services
from curators.filters import CuratorAssignmentFilterSet, PartnerPairFilterSet, RecommendationFilterSet, VisitFilterSet
from curators.forms import (
    AssignmentCopyForm,
    AssignmentForm,
    LessonFormSet,
    MarkDoneForm,
    PartnerPairForm,
    RecommendationFormSet,
    VisitForm,
)
from curators.models import RATING_SCALE, CuratorAssignment, PartnerPair, Recommendation, RecommendationStatus, Visit
from curators.tables import CuratorAssignmentTable, PartnerPairTable, RecommendationTable, VisitTable
from schools.models import StatusKind
from schools.programme_views import chosen_municipality
from schools.selectors import history_entries, status_sets_by_year
from socialcontext.selectors import schools_to_check


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or current_academic_year())
    except ValueError:
        return current_academic_year()


# --- Assignments -----------------------------------------------------------------------


class AssignmentListView(ObjectListView):
    queryset = CuratorAssignment.objects.select_related("curator__school", "school", "order")
    table_class = CuratorAssignmentTable
    filterset_class = CuratorAssignmentFilterSet
    title = _("Curator assignments")
    export_name = "curator-assignments"
    create_url_name = "curators:assignment-create"
    template_name = "curators/assignment_list.html"


class AssignmentDetailView(ObjectDetailView):
    queryset = CuratorAssignment.objects.select_related("curator", "school", "order")
    template_name = "curators/assignment_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = can(self.request.user, MANAGE, self.object)
        ctx["history"] = history_entries(self.object.history.all())
        return ctx


class AssignmentFormMixin:
    def form_valid(self, form):
        try:
            self.object = services.assignment_save(form.save(commit=False), self.request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("The assignment has been saved."))
        return redirect(reverse("curators:assignment-grid") + f"?year={self.object.year}")


class AssignmentCreateView(AssignmentFormMixin, ObjectCreateView):
    model = CuratorAssignment
    form_class = AssignmentForm
    title = _("Appoint a curator")

    def get_initial(self):
        initial = super().get_initial()
        for key in ("school", "year"):
            if self.request.GET.get(key):
                initial[key] = self.request.GET[key]
        return initial


class AssignmentUpdateView(AssignmentFormMixin, ObjectUpdateView):
    model = CuratorAssignment
    form_class = AssignmentForm
    title = _("Edit assignment")


class AssignmentEndView(ObjectActionView):
    queryset = CuratorAssignment.objects.all()
    scope_action = MANAGE
    actions = {
        "end": (
            lambda view, assignment: services.assignment_end(assignment, view.request.user),
            _("The assignment has been ended."),
        )
    }
    default_action = "end"

    def get_success_url(self, assignment) -> str:
        return reverse("curators:assignment-grid") + f"?year={assignment.year}"


class AssignmentGridView(LoginRequiredMixin, TemplateView):
    """School → curators of a year, ШНОР first: the coordinator's appointment grid."""

    template_name = "curators/assignment_grid.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_manage_assignments(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = _year(self.request)
        munis = municipalities_for(self.request.user, MANAGE)
        muni = chosen_municipality(self.request, munis)
        schools = schools_for(self.request.user, MANAGE).filter(municipality=muni, is_active=True)
        schools = schools.prefetch_related(
            Prefetch(
                "curator_assignments",
                queryset=restrict(
                    CuratorAssignment.objects.filter(year=year, is_active=True), self.request.user, MANAGE
                ).select_related("curator"),
                to_attr="year_assignments",
            )
        ).order_by("sort_name")
        low = status_sets_by_year(muni, StatusKind.LOW_RESULTS, [year])[year] if muni else set()
        rows = [{"school": s, "is_low": s.pk in low, "assignments": s.year_assignments} for s in schools]
        only_low = self.request.GET.get("all") != "1"
        if only_low:
            rows = [r for r in rows if r["is_low"] or r["assignments"]]
        rows.sort(key=lambda r: (not r["is_low"], r["school"].sort_name))
        ctx.update(
            has_assignments=any(r["assignments"] for r in rows),
            rows=rows,
            year=year,
            years=academic_year_choices(span_back=6),
            municipalities=munis,
            municipality=muni,
            only_low=only_low,
        )
        return ctx


class AssignmentCopyView(LoginRequiredMixin, FormView):
    """A new year's curators from last year's: a preview of last year's assignments (ticked
    where the school is a ШНОР this year), the order to rest on, then one step."""

    template_name = "curators/assignment_copy.html"
    form_class = AssignmentCopyForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_manage_assignments(request.user):
            raise Http404
        if request.user.is_authenticated:
            self.setup_copy(request)
        return super().dispatch(request, *args, **kwargs)

    def setup_copy(self, request):
        self.munis = municipalities_for(request.user, MANAGE)
        self.municipality = chosen_municipality(request, self.munis)
        data = request.POST if request.method == "POST" else request.GET
        try:
            self.year = int(data.get("year") or current_academic_year())
        except ValueError:
            self.year = current_academic_year()
        self.rows = services.assignments_copy_preview(self.municipality, self.year) if self.municipality else []

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "rows": self.rows}

    def form_valid(self, form):
        try:
            created = services.assignments_copy(
                user=self.request.user,
                municipality=self.municipality,
                year=self.year,
                assignment_ids=form.cleaned_data["assignments"],
                order=form.cleaned_data["order"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext("%(n)s curators appointed for %(year)s from last year's.")
            % {"n": len(created), "year": academic_year_label(self.year)},
        )
        url = reverse("curators:assignment-grid")
        return redirect(f"{url}?municipality={self.municipality.pk}&year={self.year}")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        chosen = {str(v) for v in (ctx["form"]["assignments"].value() or [])}
        for row in self.rows:
            row["checked"] = str(row["assignment"].pk) in chosen
        ctx.update(
            rows=self.rows,
            year=self.year,
            years=academic_year_choices(span_back=2, span_forward=2),
            municipalities=self.munis,
            municipality=self.municipality,
        )
        return ctx


class WorkloadView(LoginRequiredMixin, TemplateView):
    template_name = "curators/workload.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = _year(self.request)
        ctx.update(
            rows=selectors.curator_workload(self.request.user, year),
            year=year,
            years=academic_year_choices(span_back=6),
        )
        return ctx


# --- Partner pairs ---------------------------------------------------------------------


class PairListView(ObjectListView):
    queryset = PartnerPair.objects.select_related("school", "leader", "order")
    table_class = PartnerPairTable
    filterset_class = PartnerPairFilterSet
    title = _("Partner pairs")
    export_name = "partner-pairs"
    create_url_name = "curators:pair-create"
    template_name = "curators/pair_list.html"


class PairDetailView(ObjectDetailView):
    queryset = PartnerPair.objects.select_related("school", "leader", "order")
    template_name = "curators/pair_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = can(self.request.user, MANAGE, self.object)
        ctx["history"] = history_entries(self.object.history.all())
        return ctx


class PairFormMixin:
    def form_valid(self, form):
        try:
            self.object = services.partner_pair_save(form.save(commit=False), self.request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("The partner pair has been saved."))
        return redirect(self.object.get_absolute_url())


class PairCreateView(PairFormMixin, ObjectCreateView):
    model = PartnerPair
    form_class = PartnerPairForm
    title = _("New partner pair")


class PairUpdateView(PairFormMixin, ObjectUpdateView):
    model = PartnerPair
    form_class = PartnerPairForm
    title = _("Edit partner pair")


# --- Visits ----------------------------------------------------------------------------


class VisitListView(ObjectListView):
    queryset = (
        Visit.objects.select_related("school", "curator")
        .annotate(
            lessons_count=Count("lessons", distinct=True),
            open_count=Count(
                "recommendations", filter=Q(recommendations__status=RecommendationStatus.OPEN), distinct=True
            ),
        )
        .order_by("-date", "-id")
    )
    table_class = VisitTable
    filterset_class = VisitFilterSet
    title = _("Visits")
    export_name = "visits"
    create_url_name = "curators:visit-create"
    create_action = VIEW

    def can_create(self) -> bool:
        return visit_schools(self.request.user).exists()


class VisitCreateView(LoginRequiredMixin, TemplateView):
    """Log a visit: the visit, lessons observed and recommendations in one form; the last
    visit's open recommendations are shown to close."""

    template_name = "curators/visit_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not visit_schools(request.user).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _school(self):
        schools = visit_schools(self.request.user).select_related("municipality")
        pk = self.request.POST.get("school") or self.request.GET.get("school")
        if pk and str(pk).isdigit():
            return schools.filter(pk=pk).first()
        return schools.first() if schools.count() == 1 else None

    def get_context_data(self, form=None, lessons=None, recs=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        school = self._school()
        initial = {"school": school.pk} if school else {}
        ctx["form"] = form or VisitForm(user=self.request.user, initial=initial)
        ctx["lessons"] = lessons or LessonFormSet(prefix="lessons")
        ctx["recs"] = recs or RecommendationFormSet(prefix="recs", form_kwargs={"user": self.request.user})
        ctx["school"] = school
        ctx["previous"] = list(services.last_open_recommendations(school)) if school else []
        ctx["closing"] = {int(x) for x in self.request.POST.getlist("close") if x.isdigit()}
        return ctx

    def post(self, request, *args, **kwargs):
        form = VisitForm(request.POST, user=request.user)
        lessons = LessonFormSet(request.POST, prefix="lessons")
        recs = RecommendationFormSet(request.POST, prefix="recs", form_kwargs={"user": request.user})
        if form.is_valid() & lessons.is_valid() & recs.is_valid():
            visit = form.save(commit=False)
            visit.curator = request.user
            lesson_objs = [
                f.save(commit=False) for f in lessons.forms if f.has_changed() and not f.cleaned_data.get("DELETE")
            ]
            rec_objs = [
                f.save(commit=False) for f in recs.forms if f.has_changed() and not f.cleaned_data.get("DELETE")
            ]
            close_ids = [int(x) for x in request.POST.getlist("close") if x.isdigit()]
            try:
                visit = services.visit_create(
                    user=request.user, visit=visit, lessons=lesson_objs, recommendations=rec_objs, close_ids=close_ids
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, gettext("The visit has been logged."))
                draft_saved(request, "visit-new")
                return redirect(visit.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form, lessons=lessons, recs=recs))


class VisitDetailView(ObjectDetailView):
    queryset = Visit.objects.select_related("school", "curator", "confirmed_by")
    template_name = "curators/visit_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        visit, user = self.object, self.request.user
        recs = list(visit.recommendations.select_related("owner_user", "closed_by"))
        for r in recs:
            r.may_done = r.status == RecommendationStatus.OPEN and scoping.may_update_recommendation(user, r)
            r.may_close = r.status != RecommendationStatus.CLOSED and scoping.may_close_recommendation(user, r)
        ctx.update(
            lessons=visit.lessons.all(),
            rating_scale=RATING_SCALE,
            recommendations=recs,
            done_form=MarkDoneForm(),
            may_edit=not visit.confirmed_at and scoping.may_edit_visit(user, visit),
            may_confirm=not visit.confirmed_at and scoping.may_confirm_visit(user, visit),
            history=sorted(
                history_entries(visit.history.all())
                + [
                    _labelled(h, h.text)
                    for h in history_entries(Recommendation.history.filter(visit_id=visit.pk), limit=30)
                ],
                key=lambda h: h.history_date,
                reverse=True,
            ),
        )
        return ctx


def _labelled(record, label: str):
    """Prefix a history record's change text with what it is about (a recommendation)."""
    short = label if len(label) <= 60 else label[:58] + "…"
    record.change_text = f"«{short}»" + (f": {record.change_text}" if record.change_text else "")
    return record


class VisitConfirmView(ObjectActionView):
    queryset = Visit.objects.all()
    actions = {
        "confirm": (
            lambda view, visit: services.visit_confirm(user=view.request.user, visit=visit),
            _("The visit record is confirmed."),
        )
    }
    default_action = "confirm"


class RecommendationActionView(ObjectActionView):
    """POST done (the school, with a comment), close or reopen (the curator)."""

    queryset = Recommendation.objects.select_related("visit")
    atomic = True
    actions = {
        "done": (
            lambda view, rec: services.recommendation_mark_done(
                user=view.request.user, rec=rec, comment=MarkDoneForm(view.request.POST).data.get("comment", "")
            ),
            _("The recommendation is marked done."),
        ),
        "close": (
            lambda view, rec: services.recommendation_close(user=view.request.user, rec=rec),
            _("The recommendation is closed."),
        ),
        "reopen": (
            lambda view, rec: services.recommendation_reopen(user=view.request.user, rec=rec),
            _("The recommendation is returned to the school."),
        ),
    }

    def get_success_url(self, rec) -> str:
        return rec.visit.get_absolute_url()


class RecommendationListView(ObjectListView):
    queryset = Recommendation.objects.select_related("visit__school", "owner_user", "visit")
    table_class = RecommendationTable
    filterset_class = RecommendationFilterSet
    title = _("Recommendations")
    export_name = "recommendations"


class PlannerView(LoginRequiredMixin, TemplateView):
    """Schools ranked for the next visits by risk level, days since the last visit and
    overdue recommendations."""

    template_name = "curators/planner.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = _year(self.request)
        schools = schools_for(self.request.user, VIEW).filter(is_active=True)
        low = self.request.GET.get("all") != "1"
        if low:
            programme = schools.filter(
                Q(statuses__year_to__isnull=True) | Q(statuses__year_to__gte=year),
                statuses__year_from__lte=year,
                statuses__kind__in=[StatusKind.LOW_RESULTS, StatusKind.ADVERSE, StatusKind.PARTICIPANT_500],
            )
            # … and the schools whose results, read against their context, are to be checked for objectivity.
            schools = schools.filter(Q(id__in=programme.values("id")) | Q(id__in=schools_to_check(schools)))
        ctx.update(rows=selectors.visit_planner(schools, year), year=year, only_low=low)
        return ctx


class VisitUpdateView(LoginRequiredMixin, UpdateView):
    """The curator corrects the visit record until the school confirms it."""

    form_class = VisitForm
    template_name = "core/object_form.html"

    def get_queryset(self):
        return Visit.objects.restrict(self.request.user, VIEW).filter(confirmed_at__isnull=True)

    def get_object(self, queryset=None):
        visit = super().get_object(queryset)
        if not scoping.may_edit_visit(self.request.user, visit):
            raise Http404
        return visit

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.helper.form_tag = True
        form.helper.add_input(Submit("submit", gettext("Save")))
        # What is typed is kept in the browser until saved (static/js/drafts.js); a draft
        # made from other values of the record is offered, not put in.
        form.helper.attrs = {"data-draft": f"visit-{self.object.pk}", "data-draft-version": draft_version(form)}
        return form

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = gettext("Edit visit record")
        return ctx

    def form_valid(self, form):
        try:
            self.object = services.visit_update(user=self.request.user, visit=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("The visit record has been saved."))
        draft_saved(self.request, f"visit-{self.object.pk}")
        return redirect(self.object.get_absolute_url())


class VisitProtocolView(LoginRequiredMixin, View):
    """The visit's protocol as PDF, for whoever may read the visit (its scope: 404 otherwise)."""

    def get(self, request, pk: int):
        from curators.documents import visit_protocol_pdf
        from reports.pdf import pdf_response

        visit = get_object_or_404(
            Visit.objects.restrict(request.user, VIEW).select_related("school__municipality", "curator"), pk=pk
        )
        return pdf_response(visit_protocol_pdf(visit), f"visit-protocol-{visit.pk}.pdf")
