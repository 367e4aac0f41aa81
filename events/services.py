"""Every write of the events app that is more than a save: events from templates,
registration with capacity, deadline and waiting list, attendance, feedback."""

from __future__ import annotations

import datetime
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.scoping import VIEW
from core.spreadsheets import Limits, SpreadsheetRefused, read_upload
from core.xlsx import unneutralise
from events.models import (
    DEFAULT_QUESTIONS,
    AgendaStep,
    CalendarFeed,
    Event,
    EventStatus,
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    QuestionKind,
    Registration,
    RegistrationStatus,
)

log = logging.getLogger(__name__)

# --- Who may do what: asked of the policy module (accounts.scoping) -------------------------
# The names below stay importable from here for the app's forms.

level_choices = scoping.level_choices
registration_schools_for = scoping.registration_schools_for


def schools_of_levels(municipalities, regions):
    """The schools of those municipalities and regions (host, organisers, authors)."""
    from django.db.models import Q

    from schools.models import School

    return School.objects.filter(Q(municipality__in=municipalities) | Q(municipality__region__in=regions)).order_by(
        "sort_name"
    )


# --- Events -----------------------------------------------------------------------------


def event_questions_add_defaults(event: Event) -> None:
    """The default reflection sheet, stored in the portal's language (questions are data)."""
    with translation.override(settings.LANGUAGE_CODE):
        questions = [
            FeedbackQuestion(event=event, position=i, kind=kind, text=str(text))
            for i, (kind, text) in enumerate(DEFAULT_QUESTIONS, start=1)
        ]
    FeedbackQuestion.objects.bulk_create(questions)


def event_save(*, actor, event: Event | None = None, **fields) -> Event:
    """Create (``event`` None) or change an event from its field values — the page's form and
    the API's body alike, so both keep the same rules: the user must run the event's level
    (municipality or region), a new event gets the default reflection questions, and more
    places (or no limit now) move the waiting list up.  A many-to-many value (organisers,
    organiser schools, themes, skills) replaces the event's set."""
    event = event if event is not None else Event()
    is_new = event.pk is None
    many = {}
    for name, value in fields.items():
        field = _event_field(name)
        if field is not None and (field.many_to_many or field.one_to_many):
            many[name] = value
        else:
            setattr(event, name, value)
    with transaction.atomic():
        if not scoping.may_manage_level(actor, event):
            raise PermissionDenied
        if is_new:
            event.created_by = actor
        event.save()
        for name, value in many.items():
            getattr(event, name).set(value or [])
        if is_new:
            event_questions_add_defaults(event)
        else:
            # More places (or none limited now): the waiting list moves up.
            while _promote_waiting(event):
                pass
    return event


def _event_field(name: str):
    from django.core.exceptions import FieldDoesNotExist

    try:
        return Event._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def event_copy(user, source: Event, *, start: datetime.datetime, end: datetime.datetime, title: str = "") -> Event:
    """A new planned event from a previous one: the same programme (goal, tasks, expected
    results, key ideas, agenda, questions, organisers, themes), new dates, no results."""
    if not scoping.may_manage_event(user, source):
        raise PermissionDenied
    if end <= start:
        raise ValidationError({"end": _("The event must end after it starts.")})
    with transaction.atomic():
        event = Event.objects.create(
            municipality=source.municipality,
            region=source.region,
            host_school=source.host_school,
            format=source.format,
            title=title or source.title,
            organisers_note=source.organisers_note,
            audience_kind=source.audience_kind,
            audience=source.audience,
            start=start,
            end=end,
            place=source.place,
            link=source.link,
            capacity=source.capacity,
            goal=source.goal,
            tasks=source.tasks,
            expected_results=source.expected_results,
            key_ideas=source.key_ideas,
            created_by=user,
        )
        event.organiser_schools.set(source.organiser_schools.all())
        event.organisers.set(source.organisers.all())
        event.themes.set(source.themes.all())
        AgendaStep.objects.bulk_create(
            [
                AgendaStep(
                    event=event,
                    position=s.position,
                    title=s.title,
                    description=s.description,
                    duration_minutes=s.duration_minutes,
                    lead=s.lead,
                )
                for s in source.agenda.all()
            ]
        )
        questions = list(source.questions.all())
        if questions:
            FeedbackQuestion.objects.bulk_create(
                [FeedbackQuestion(event=event, position=q.position, kind=q.kind, text=q.text) for q in questions]
            )
        else:
            event_questions_add_defaults(event)
    return event


# --- Registration -------------------------------------------------------------------------


@dataclass
class Person:
    full_name: str
    position: str = ""
    user_id: int | None = None


def registration_closed_reason(event: Event, now: datetime.datetime) -> str | None:
    if event.status == EventStatus.CANCELLED:
        return _("The event has been cancelled.")
    if event.end <= now:
        return _("The event is over; registration is closed.")
    if event.registration_deadline and now > event.registration_deadline:
        deadline = date_format(timezone.localtime(event.registration_deadline), "d.m.Y H:i")
        return _("Registration closed on %(deadline)s.") % {"deadline": deadline}
    return None


def registrations_create(user, event: Event, school, people: list[Person]) -> list[Registration]:
    """Register people of ``school`` for ``event``.  Within capacity they are registered,
    beyond it they go to the waiting list.  All or nothing."""
    if not Event.objects.restrict(user, VIEW).filter(pk=event.pk).exists():
        raise PermissionDenied
    if not scoping.may_register_for(user, school, event):
        raise ValidationError({"school": _("You may register only people of your own school.")})
    if not people:
        raise ValidationError(_("Name at least one participant."))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        error = registration_closed_reason(event, timezone.now())
        if error:
            raise ValidationError(error)
        active = event.registrations.exclude(status=RegistrationStatus.CANCELLED)
        taken = {(r.full_name.casefold(), r.school_id) for r in active.only("full_name", "school_id")}
        registered = active.filter(status=RegistrationStatus.REGISTERED).count()
        # A person who has an account at that school is linked to it (they may then give feedback themselves).
        staff = {u.full_name.casefold(): u.pk for u in school.staff.filter(is_active=True)}
        created = []
        for person in people:
            name = " ".join(person.full_name.split())
            if not name:
                continue
            key = (name.casefold(), school.pk)
            if key in taken:
                raise ValidationError(_("%(name)s is already registered for this event.") % {"name": name})
            taken.add(key)
            full = event.capacity is not None and registered >= event.capacity
            status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
            registered += 0 if full else 1
            created.append(
                Registration.objects.create(
                    event=event,
                    school=school,
                    user_id=person.user_id or staff.get(name.casefold()),
                    full_name=name,
                    position=person.position.strip(),
                    status=status,
                    registered_by=user,
                )
            )
        if not created:
            raise ValidationError(_("Name at least one participant."))
    return created


def registration_cancel(user, registration: Registration) -> Registration | None:
    """Cancel a registration; the first on the waiting list takes the freed place.
    Returns the promoted registration, if any."""
    if not scoping.may_change_registration(user, registration):
        raise PermissionDenied
    if registration.event.start <= timezone.now():
        raise ValidationError(_("The event has started; a registration can no longer be cancelled."))
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=registration.event_id)
        registration.refresh_from_db()
        if registration.status == RegistrationStatus.CANCELLED:
            return None
        was_registered = registration.status == RegistrationStatus.REGISTERED
        registration.status = RegistrationStatus.CANCELLED
        registration.attended = False
        registration.save(update_fields=["status", "attended"])
        if not was_registered:
            return None
        return _promote_waiting(registration.event)


def _promote_waiting(event: Event) -> Registration | None:
    event.refresh_from_db()
    registered = event.registrations.filter(status=RegistrationStatus.REGISTERED).count()
    if event.capacity is not None and registered >= event.capacity:
        return None
    nxt = event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("created_at", "id").first()
    if nxt is None:
        return None
    # Compare-and-set: only one promotion of the same row.
    if Registration.objects.filter(pk=nxt.pk, status=RegistrationStatus.WAITLISTED).update(
        status=RegistrationStatus.REGISTERED
    ):
        nxt.status = RegistrationStatus.REGISTERED
        transaction.on_commit(lambda: _queue_promotion_notice(nxt.pk))
        return nxt
    return None


def _queue_promotion_notice(registration_id: int) -> None:
    """Hand the notice to Celery; with the broker down the move-up itself stands (the page
    says so) and only the e-mail is lost, which is logged."""
    from events.tasks import promotion_notify

    try:
        promotion_notify.delay(registration_id)
    except Exception:  # broker unavailable
        log.warning("move-up notice of registration %s not queued: broker unavailable", registration_id, exc_info=True)


def registration_promotion_notify(registration_id: int) -> int:
    """E-mail the person who moved up from the waiting list and whoever registered them
    (those with an address).  Sent once: a retry after success sends nothing.  Returns the
    number of messages sent."""
    claimed = Registration.objects.filter(
        pk=registration_id, status=RegistrationStatus.REGISTERED, promotion_notified_at=None
    ).update(promotion_notified_at=timezone.now())
    if not claimed:
        return 0
    reg = Registration.objects.select_related("event", "school", "user", "registered_by").get(pk=registration_id)
    recipients = {u.pk: u for u in (reg.user, reg.registered_by) if u is not None and u.is_active and u.email}
    sent = 0
    try:
        for person in recipients.values():
            with translation.override(person.language or "ru"):
                context = {
                    "recipient": person,
                    "registration": reg,
                    "event": reg.event,
                    "start": date_format(timezone.localtime(reg.event.start), "DATETIME_FORMAT"),
                    "url": settings.SITE_URL.rstrip("/") + reg.event.get_absolute_url(),
                }
                subject = render_to_string("events/email/promoted_subject.txt", context).strip()
                body = render_to_string("events/email/promoted.txt", context)
            send_mail(subject, body, None, [person.email])
            sent += 1
    except Exception:
        # Not sent: release the claim so the task's retry sends it.
        Registration.objects.filter(pk=registration_id).update(promotion_notified_at=None)
        raise
    return sent


# --- Attendance ---------------------------------------------------------------------------


def _check_attendance_allowed(user, event: Event) -> None:
    if not scoping.may_manage_event(user, event):
        raise PermissionDenied
    if event.start.date() > timezone.localdate():
        raise ValidationError(_("Attendance can be marked from the day of the event."))


def attendance_set(user, registration: Registration, attended: bool) -> Registration:
    _check_attendance_allowed(user, registration.event)
    if registration.status != RegistrationStatus.REGISTERED:
        raise ValidationError(_("Only registered participants can be marked as present."))
    registration.attended = attended
    registration.save(update_fields=["attended"])
    return registration


# The list of one event's participants: a few hundred rows, five columns.
ATTENDANCE_LIMITS = Limits(max_rows=20_000, max_columns=32, kinds=("xlsx",))
ATTENDANCE_HEADERS = ["ID", "ФИО", "Школа", "Должность", "Присутствовал(а)"]
_PRESENT_MARKS = {"+", "да", "1", "x", "х", "v", "✓", "присутствовал", "присутствовала", "yes", "present"}


def attendance_sheet_rows(event: Event) -> list[list]:
    regs = event.registrations.filter(status=RegistrationStatus.REGISTERED).select_related("school")
    return [[r.pk, r.full_name, r.school.short_name, r.position, r.attended] for r in regs]


def attendance_import(user, event: Event, upload) -> int:
    """Mark attendance from the printed list (the xlsx the portal gives, filled by hand):
    a row with a mark in the last column is present.  The file goes in whole or not at all.
    Returns how many people are marked present."""
    from python_calamine import CalamineWorkbook

    _check_attendance_allowed(user, event)
    try:
        data = read_upload(upload, ATTENDANCE_LIMITS)  # size and shape before calamine sees a byte
    except SpreadsheetRefused as exc:
        raise ValidationError(str(exc)) from None
    try:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several error types for a damaged file
        raise ValidationError(_("The file could not be read as an xlsx workbook.")) from exc
    if not rows or str(rows[0][0]).strip() != "ID" or len(rows[0]) < len(ATTENDANCE_HEADERS):
        raise ValidationError(_("This is not the attendance list of the portal: the first column must be «ID»."))
    ids = set(event.registrations.filter(status=RegistrationStatus.REGISTERED).values_list("pk", flat=True))
    present, absent = set(), set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(c).strip() for c in row):
            continue
        try:
            reg_id = int(float(row[0]))
        except (TypeError, ValueError):
            raise ValidationError(
                _("Row %(row)s: the ID «%(value)s» is not a number.") % {"row": number, "value": row[0]}
            )
        if reg_id not in ids:
            raise ValidationError(
                _("Row %(row)s: no registered participant with ID %(id)s for this event.")
                % {"row": number, "id": reg_id}
            )
        mark = unneutralise(str(row[4]).strip()).casefold() if len(row) > 4 and row[4] is not None else ""
        (present if mark in _PRESENT_MARKS else absent).add(reg_id)
    with transaction.atomic():
        Registration.objects.filter(pk__in=present).update(attended=True)
        Registration.objects.filter(pk__in=absent).update(attended=False)
    return len(present)


# --- Feedback -----------------------------------------------------------------------------


def feedback_submit(user, registration: Registration, answers: dict[int, object]) -> FeedbackResponse:
    """Save a participant's reflection sheet: once per participant."""
    if not scoping.may_give_feedback(user, registration):
        raise PermissionDenied
    if registration.status != RegistrationStatus.REGISTERED:
        raise ValidationError(_("Only registered participants can give feedback."))
    if registration.event.start > timezone.now():
        raise ValidationError(_("Feedback opens when the event starts."))
    questions = {q.pk: q for q in registration.event.questions.all()}
    rows = []
    for qid, question in questions.items():
        value = answers.get(qid)
        if question.kind == QuestionKind.RATING:
            if value in (None, ""):
                raise ValidationError(_("Rate «%(q)s» from 1 to 5.") % {"q": question.text})
            try:
                rating = int(value)
            except (TypeError, ValueError):
                rating = 0
            if not 1 <= rating <= 5:
                raise ValidationError(_("Rate «%(q)s» from 1 to 5.") % {"q": question.text})
            rows.append((question, rating, ""))
        else:
            rows.append((question, None, str(value or "").strip()[:5000]))
    try:
        with transaction.atomic():
            if FeedbackResponse.objects.filter(registration=registration).exists():
                raise IntegrityError
            response = FeedbackResponse.objects.create(registration=registration)
            FeedbackAnswer.objects.bulk_create(
                [FeedbackAnswer(response=response, question=q, rating=r, text=t) for q, r, t in rows]
            )
    except IntegrityError:
        raise ValidationError(
            _("Feedback from %(name)s has already been submitted; it can be given only once.")
            % {"name": registration.full_name}
        ) from None
    return response


def feedback_questions_set(user, event: Event, questions: list[tuple[str, str]]) -> None:
    """Replace the event's questions (only while nobody has answered)."""
    if not scoping.may_manage_event(user, event):
        raise PermissionDenied
    if FeedbackResponse.objects.filter(registration__event=event).exists():
        raise ValidationError(_("The questions cannot be changed after the first answers."))
    with transaction.atomic():
        event.questions.all().delete()
        FeedbackQuestion.objects.bulk_create(
            [FeedbackQuestion(event=event, position=i, kind=k, text=t) for i, (k, t) in enumerate(questions, 1)]
        )


# --- Agenda -------------------------------------------------------------------------------


def agenda_step_add(user, event: Event, **fields) -> AgendaStep:
    if not scoping.may_manage_event(user, event):
        raise PermissionDenied
    position = (event.agenda.aggregate(m=Max("position"))["m"] or 0) + 1
    step = AgendaStep(event=event, position=position, **fields)
    step.full_clean()
    step.save()
    return step


def agenda_step_save(user, step: AgendaStep, **fields) -> AgendaStep:
    """Change a step in place (its title, content, duration, who leads)."""
    if not scoping.may_manage_event(user, step.event):
        raise PermissionDenied
    for name, value in fields.items():
        setattr(step, name, value)
    step.full_clean()
    step.save()
    return step


def agenda_step_move(user, step: AgendaStep, offset: int) -> bool:
    """Swap the step with its neighbour above (offset −1) or below (+1); False at either end.
    Positions are renumbered 1…n first, so old equal positions can't confuse the order."""
    if not scoping.may_manage_event(user, step.event):
        raise PermissionDenied
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=step.event_id)
        steps = list(step.event.agenda.order_by("position", "id"))
        index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
        other = index + offset
        if offset not in (-1, 1) or not 0 <= other < len(steps):
            return False
        steps[index], steps[other] = steps[other], steps[index]
        for position, s in enumerate(steps, start=1):
            if s.position != position:
                s.position = position
                s.save(update_fields=["position"])
    return True


# --- Calendar feed ------------------------------------------------------------------------


def calendar_feed_token(user, *, renew: bool = False) -> str:
    feed, created = CalendarFeed.objects.get_or_create(user=user, defaults={"token": CalendarFeed.new_token()})
    if renew and not created:
        feed.token = CalendarFeed.new_token()
        feed.save(update_fields=["token"])
    return feed.token


# --- Housekeeping ---------------------------------------------------------------------------


def events_mark_held(now: datetime.datetime | None = None) -> int:
    """Planned events that have ended become held.  Idempotent (compare-and-set)."""
    now = now or timezone.now()
    return Event.objects.filter(status=EventStatus.PLANNED, end__lt=now).update(status=EventStatus.HELD)
