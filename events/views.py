"""Pages of methodical events and the bank: thin views over services and selectors."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView, UpdateView

from accounts import scoping
from accounts.scoping import VIEW, restrict
from core.errors import add_service_errors, error_text, service_error_messages
from core.generic import (
    ObjectActionView,
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ScopedFormMixin,
    ScopedMixin,
)
from core.xlsx import xlsx_response
from events import selectors, services
from events.filters import EventFilterSet, MaterialFilterSet
from events.forms import (
    AgendaStepForm,
    AttendanceUploadForm,
    EventCopyForm,
    EventForm,
    EventMaterialForm,
    FeedbackForm,
    MaterialForm,
    RegistrationForm,
)
from events.models import (
    CalendarFeed,
    Event,
    FeedbackResponse,
    Material,
    QuestionKind,
    Registration,
    RegistrationStatus,
)
from events.tables import EventTable, MaterialTable


def _visible_event(request, pk) -> Event:
    return get_object_or_404(selectors.events_visible(request.user), pk=pk)


def _managed_event(request, pk) -> Event:
    event = _visible_event(request, pk)
    if not scoping.may_manage_event(request.user, event):
        raise Http404
    return event


def _registered_count():
    return Count("registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED), distinct=True)


# --- Events: list, calendar ---------------------------------------------------------------


class EventListView(ObjectListView):
    queryset = Event.objects.select_related("host_school").annotate(registered=_registered_count()).order_by("-start")
    table_class = EventTable
    filterset_class = EventFilterSet
    template_name = "events/event_list.html"
    title = gettext_lazy("Methodical events")
    export_name = "events"
    create_url_name = "events:event-create"

    def can_create(self) -> bool:
        return scoping.may_plan_events(self.request.user)


class EventCalendarView(LoginRequiredMixin, TemplateView):
    template_name = "events/calendar.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        try:
            year, month = (int(p) for p in self.request.GET.get("month", "").split("-"))
            first = datetime.date(year, month, 1)
        except ValueError:
            first = today.replace(day=1)
        flt = EventFilterSet(
            self.request.GET or None, queryset=selectors.events_visible(self.request.user), request=self.request
        )
        events = flt.qs if flt.is_bound and flt.is_valid() else flt.queryset
        prev_month = (first - datetime.timedelta(days=1)).replace(day=1)
        next_month = (first + datetime.timedelta(days=32)).replace(day=1)
        ctx.update(
            filter=flt,
            month=first,
            weeks=selectors.month_grid(events, first.year, first.month),
            prev_month=f"{prev_month:%Y-%m}",
            next_month=f"{next_month:%Y-%m}",
            this_month=f"{today:%Y-%m}",
            title=_("Calendar of events"),
        )
        return ctx


# --- Event page (with registration) ---------------------------------------------------------


class EventDetailView(ObjectDetailView):
    queryset = Event.objects.select_related("municipality", "region", "host_school", "created_by").prefetch_related(
        "agenda", "materials", "themes", "organiser_schools", "organisers", "bank_materials"
    )

    def registration_form(self, data=None):
        event, user = self.object, self.request.user
        if not scoping.registration_schools_for(user, event).exists():
            return None
        return RegistrationForm(data, user=user, event=event)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        event, user = self.object, self.request.user
        can_manage = scoping.may_manage_event(user, event)
        regs = (
            event.registrations.all() if can_manage else Registration.objects.restrict(user, VIEW).filter(event=event)
        )
        regs = regs.select_related("school").prefetch_related(
            Prefetch("feedback", queryset=restrict(FeedbackResponse.objects.only("id", "registration_id"), user, VIEW))
        )
        regs = list(regs.order_by("school__sort_name", "full_name"))
        allowed = scoping.registration_permissions(user, event, regs)
        for r in regs:
            r.can_change, r.can_feedback = allowed[r.pk]
            r.has_feedback = hasattr(r, "feedback")
        ctx.update(
            can_manage=can_manage,
            registrations=regs,
            counts=selectors.registration_counts(event),
            register_form=kwargs.get("register_form") or self.registration_form(),
            registration_closed=services.registration_closed_reason(event, timezone.now()),
            feedback=selectors.feedback_summary(event),
            feedback_open=event.start <= timezone.now(),
            history=event.history.select_related("history_user").order_by("-history_date")[:10],
        )
        # Each step with its in-place edit form for those who run the event.
        ctx["agenda"] = [
            (step, AgendaStepForm(instance=step, prefix=f"step{step.pk}") if can_manage else None)
            for step in event.agenda.all()
        ]
        if can_manage:
            # Two forms of one page: each its own ids («title» is in both).
            ctx["agenda_form"] = AgendaStepForm(auto_id="id_step_%s")
            ctx["material_form"] = EventMaterialForm(auto_id="id_material_%s")
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.registration_form(request.POST)
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                created = services.registrations_create(
                    user=request.user,
                    event=self.object,
                    school=form.cleaned_data["school"],
                    people=form.cleaned_data["people"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                waiting = [r.full_name for r in created if r.status == RegistrationStatus.WAITLISTED]
                done = len(created) - len(waiting)
                if done:
                    messages.success(request, _("Registered: %(n)s.") % {"n": done})
                if waiting:
                    messages.warning(
                        request,
                        _("No free places left; put on the waiting list: %(names)s.") % {"names": ", ".join(waiting)},
                    )
                return redirect(self.object.get_absolute_url() + "#registrations")
        return self.render_to_response(self.get_context_data(register_form=form))


class EventCreateView(ObjectCreateView):
    model = Event
    form_class = EventForm
    title = gettext_lazy("New event")
    success_message = gettext_lazy("The event has been created.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scoping.may_plan_events(request.user):
            raise Http404
        return super(ObjectCreateView, self).dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        self.object = services.event_save(actor=self.request.user, event=form.instance, **form.cleaned_data)
        messages.success(self.request, self.success_message)
        return redirect(self.object.get_absolute_url())


class EventUpdateView(ScopedMixin, ScopedFormMixin, UpdateView):
    model = Event
    form_class = EventForm
    title = gettext_lazy("Edit event")
    success_message = gettext_lazy("The event has been saved.")

    def get_object(self, queryset=None):
        event = super().get_object(queryset)
        if not scoping.may_manage_event(self.request.user, event):
            raise Http404
        return event

    def form_valid(self, form):
        self.object = services.event_save(actor=self.request.user, event=form.instance, **form.cleaned_data)
        messages.success(self.request, self.success_message)
        return redirect(self.object.get_absolute_url())


class EventCopyView(LoginRequiredMixin, FormView):
    form_class = EventCopyForm
    template_name = "core/object_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.source = _managed_event(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        start = timezone.localtime(self.source.start) + datetime.timedelta(days=365)
        return {"start": start, "end": start + (self.source.end - self.source.start)}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("New event from «%(title)s»") % {"title": self.source.title}
        return ctx

    def form_valid(self, form):
        try:
            event = services.event_copy(
                user=self.request.user,
                source=self.source,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("A new event has been created from the template. Check the dates and place."))
        return redirect("events:event-edit", pk=event.pk)


def _form_errors(form) -> str:
    """A small inline form's errors as one message, each named by its field."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts += [f"{label}: {e}" if label else str(e) for e in errors]
    return " ".join(parts)


@login_required
@require_POST
def agenda_add(request, pk):
    event = _managed_event(request, pk)
    form = AgendaStepForm(request.POST)
    if form.is_valid():
        services.agenda_step_add(user=request.user, event=event, **form.cleaned_data)
        messages.success(request, _("The step has been added to the agenda."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(event.get_absolute_url() + "#agenda")


@login_required
@require_POST
def agenda_edit(request, pk, step_pk):
    event = _managed_event(request, pk)
    step = get_object_or_404(event.agenda, pk=step_pk)
    form = AgendaStepForm(request.POST, instance=step, prefix=f"step{step.pk}")
    if form.is_valid():
        services.agenda_step_save(user=request.user, step=step, **form.cleaned_data)
        messages.success(request, _("The agenda step has been saved."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(event.get_absolute_url() + "#agenda")


@login_required
@require_POST
def agenda_move(request, pk, step_pk):
    event = _managed_event(request, pk)
    step = get_object_or_404(event.agenda, pk=step_pk)
    services.agenda_step_move(user=request.user, step=step, offset=-1 if request.POST.get("direction") == "up" else 1)
    return redirect(event.get_absolute_url() + "#agenda")


@login_required
@require_POST
def agenda_delete(request, pk, step_pk):
    event = _managed_event(request, pk)
    get_object_or_404(event.agenda, pk=step_pk).delete()
    messages.success(request, _("The step has been removed."))
    return redirect(event.get_absolute_url() + "#agenda")


@login_required
@require_POST
def event_material_add(request, pk):
    event = _managed_event(request, pk)
    form = EventMaterialForm(request.POST, request.FILES)
    if form.is_valid():
        material = form.save(commit=False)
        material.event = event
        material.save()
        messages.success(request, _("The material has been added."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(event.get_absolute_url() + "#materials")


@login_required
def event_questions(request, pk):
    event = _managed_event(request, pk)
    questions = list(event.questions.all())
    ratings = "\n".join(q.text for q in questions if q.kind == QuestionKind.RATING)
    texts = "\n".join(q.text for q in questions if q.kind == QuestionKind.TEXT)
    error = ""
    if request.method == "POST":
        ratings, texts = request.POST.get("ratings", ""), request.POST.get("texts", "")
        items = [(QuestionKind.RATING, t.strip()[:500]) for t in ratings.splitlines() if t.strip()]
        items += [(QuestionKind.TEXT, t.strip()[:500]) for t in texts.splitlines() if t.strip()]
        if not items:
            error = _("Give at least one question.")
        else:
            try:
                services.feedback_questions_set(user=request.user, event=event, questions=items)
            except ValidationError as exc:
                error = error_text(exc)
            else:
                messages.success(request, _("The questions have been saved."))
                return redirect(event.get_absolute_url() + "#feedback")
    return render(
        request, "events/questions.html", {"event": event, "ratings": ratings, "texts": texts, "error": error}
    )


# --- Registrations, attendance, feedback ----------------------------------------------------


def _registration(request, pk) -> Registration:
    """A registration the user may see: through its school, or as a manager of its event."""
    reg = get_object_or_404(Registration.objects.select_related("event", "school"), pk=pk)
    if scoping.may_see_registration(request.user, reg):
        return reg
    raise Http404


def _registration_cancel(view, reg):
    try:
        promoted = services.registration_cancel(user=view.request.user, registration=reg)
    except PermissionDenied:
        raise Http404 from None
    request = view.request
    messages.success(request, _("The registration of %(name)s has been cancelled.") % {"name": reg.full_name})
    if promoted:
        messages.info(
            request, _("%(name)s moves from the waiting list to the participants.") % {"name": promoted.full_name}
        )


class RegistrationCancelView(ObjectActionView):
    """Cancel a registration (its school or the event's managers); the first on the waiting
    list takes the place."""

    actions = {"cancel": (_registration_cancel, None)}
    default_action = "cancel"

    def get_object(self):
        return _registration(self.request, self.kwargs["pk"])

    def get_success_url(self, reg) -> str:
        return reg.event.get_absolute_url() + "#registrations"


class AttendanceView(LoginRequiredMixin, TemplateView):
    template_name = "events/attendance.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.event = _managed_event(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            event=self.event,
            registrations=self.event.registrations.filter(status=RegistrationStatus.REGISTERED)
            .select_related("school")
            .order_by("school__sort_name", "full_name"),
            counts=selectors.registration_counts(self.event),
            upload_form=kwargs.get("upload_form") or AttendanceUploadForm(),
            day_reached=self.event.start.date() <= timezone.localdate(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        form = AttendanceUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                marked = services.attendance_import(
                    user=request.user, event=self.event, upload=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc, field="file")
            else:
                messages.success(request, _("Attendance loaded: %(n)s present.") % {"n": marked})
                return redirect("events:event-attendance", pk=self.event.pk)
        return self.render_to_response(self.get_context_data(upload_form=form))


@login_required
@require_POST
def attendance_toggle(request, pk):
    reg = _registration(request, pk)
    attended = request.POST.get("attended") in ("on", "true", "1")
    error = ""
    try:
        services.attendance_set(user=request.user, registration=reg, attended=attended)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        error = error_text(exc)
        reg.refresh_from_db()
    return render(request, "events/_attendance_row.html", {"r": reg, "error": error})


@login_required
def attendance_sheet(request, pk):
    event = _managed_event(request, pk)
    return xlsx_response(f"attendance-{event.pk}", services.ATTENDANCE_HEADERS, services.attendance_sheet_rows(event))


@login_required
def registration_feedback(request, pk):
    reg = _registration(request, pk)
    if not scoping.may_give_feedback(request.user, reg):
        raise Http404
    questions = reg.event.questions.all()
    already = FeedbackResponse.objects.filter(registration=reg).exists()
    form = FeedbackForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(user=request.user, registration=reg, answers=form.answers())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you! The feedback has been saved."))
            return redirect(reg.event.get_absolute_url() + "#feedback")
    return render(request, "events/feedback_form.html", {"reg": reg, "form": form, "already": already})


@login_required
def registration_certificate(request, pk):
    from events.documents import certificate_pdf
    from reports.pdf import pdf_response
    from reports.requisites import RequisitesMissing

    reg = _registration(request, pk)
    if not (reg.attended and reg.status == RegistrationStatus.REGISTERED):
        raise Http404
    try:
        pdf = certificate_pdf(reg)
    except RequisitesMissing as exc:
        service_error_messages(request, exc, lead=_("The certificate cannot be issued yet."))
        return redirect(reg.event.get_absolute_url())
    return pdf_response(pdf, f"certificate-{reg.pk}.pdf")


@login_required
def event_programme_pdf(request, pk):
    from events.documents import programme_pdf
    from reports.pdf import pdf_response

    event = _visible_event(request, pk)
    return pdf_response(programme_pdf(event), f"event-programme-{event.pk}.pdf")


@login_required
def event_summary_pdf(request, pk):
    from events.documents import event_requisites
    from reports.pdf import pdf_response, render_pdf

    event = _visible_event(request, pk)
    requisites = event_requisites(event, timezone.localdate())
    pdf = render_pdf(
        "events/pdf/summary.html",
        {
            **selectors.event_summary_context(event),
            "agenda": event.agenda_with_times(),
            "requisites": requisites,
            "organisers": "; ".join(event.organiser_parts()),
        },
        municipality=requisites,
        title=_("Summary of the event"),
        number=f"М-{event.pk}",
        doc_date=timezone.localdate(),
    )
    return pdf_response(pdf, f"event-summary-{event.pk}.pdf")


# --- .ics -------------------------------------------------------------------------------------


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def event_ics(request, pk):
    event = _visible_event(request, pk)
    return _ics_response(selectors.event_ics([event]), f"event-{event.pk}.ics")


def calendar_feed(request, token):
    """A subscribable feed: the secret token in the URL stands for the user; their scope applies."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    if not feed.user.is_active:
        raise Http404
    since = timezone.now() - datetime.timedelta(days=180)
    events = selectors.events_visible(feed.user).filter(end__gte=since).order_by("start")
    return _ics_response(selectors.event_ics(events, name=_("Opora: methodical events")), "opora-events.ics")


@login_required
def calendar_subscribe(request):
    if request.method == "POST":
        services.calendar_feed_token(user=request.user, renew=True)
        messages.success(request, _("A new link has been made; the old one no longer works."))
        return redirect("events:calendar-subscribe")
    token = services.calendar_feed_token(user=request.user)
    url = request.build_absolute_uri(reverse("events:calendar-feed", args=[token]))
    return render(request, "events/subscribe.html", {"feed_url": url})


# --- The bank of practices and materials -----------------------------------------------------


class MaterialListView(ObjectListView):
    queryset = Material.objects.select_related("school", "municipality", "region").prefetch_related("themes")
    table_class = MaterialTable
    filterset_class = MaterialFilterSet
    title = gettext_lazy("Bank of practices and materials")
    export_name = "materials"
    create_url_name = "events:material-create"

    def can_create(self) -> bool:
        return scoping.may_plan_events(self.request.user)


class MaterialDetailView(ObjectDetailView):
    queryset = Material.objects.select_related("school", "municipality", "region").prefetch_related("themes", "events")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["can_edit"] = scoping.may_manage_level(user, self.object)
        ctx["events"] = selectors.events_visible(user).filter(bank_materials=self.object)
        return ctx


class MaterialCreateView(ObjectCreateView):
    model = Material
    form_class = MaterialForm
    title = gettext_lazy("New material")
    success_message = gettext_lazy("The material has been published in the bank.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scoping.may_plan_events(request.user):
            raise Http404
        return super(ObjectCreateView, self).dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        form.instance.created_by = self.request.user
        return super().form_valid(form)


class MaterialUpdateView(ScopedMixin, ScopedFormMixin, UpdateView):
    model = Material
    form_class = MaterialForm
    scope_action = VIEW
    title = gettext_lazy("Edit material")
    success_message = gettext_lazy("The material has been saved.")

    def get_object(self, queryset=None):
        material = super().get_object(queryset)
        if not scoping.may_manage_level(self.request.user, material):
            raise Http404
        return material


# --- Participation analytics -----------------------------------------------------------------


@login_required
def participation(request):
    today = timezone.localdate()
    try:
        date_from = datetime.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        date_from = today - datetime.timedelta(days=365)
    try:
        date_to = datetime.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        date_to = today
    try:
        months = min(max(int(request.GET.get("months", 6)), 1), 36)
    except ValueError:
        months = 6
    data = selectors.participation_by_school(request.user, date_from, date_to)
    if request.GET.get("export") == "xlsx":
        # One number per cell: a column per format and per theme.
        formats = sorted({f for r in data["rows"] for f, _n in r["formats"]}, key=str)
        themes = sorted({t for r in data["rows"] for t, _n in r["themes"]})
        rows = [
            [
                r["school"].municipality.name,
                r["school"].short_name,
                r["events"],
                r["people"],
                *(dict(r["formats"]).get(f, 0) for f in formats),
                *(dict(r["themes"]).get(t, 0) for t in themes),
            ]
            for r in data["rows"]
        ]
        headers = [
            pgettext("events", "Municipality"),
            pgettext("events", "School"),
            _("Events attended"),
            _("People attended"),
            *(_("Format: %(name)s") % {"name": f} for f in formats),
            *(_("Theme: %(name)s") % {"name": t} for t in themes),
        ]
        return xlsx_response("participation", headers, rows)
    return render(
        request,
        "events/participation.html",
        {
            "data": data,
            "date_from": date_from,
            "date_to": date_to,
            "months": months,
            "idle": selectors.low_results_without_participation(request.user, months),
        },
    )
