"""Methodical events (programme, registration, attendance, feedback) and the bank of
practices and materials.

An event belongs to a municipality and is hosted by a school (на базе); registrations
belong to the participant's school, so a school administrator sees only their staff."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.files import EVIDENCE_KINDS, UploadValidator
from core.models import ScopedQuerySet

MATERIAL_FILE_VALIDATOR = UploadValidator(kinds=EVIDENCE_KINDS)


class EventFormat(models.TextChoices):
    SEMINAR = "seminar", _("Seminar")
    SEMINAR_PRACTICUM = "seminar_practicum", _("Seminar-practicum")
    MASTER_CLASS = "master_class", _("Master class")
    QUEST_GAME = "quest_game", _("Quest game")
    BUSINESS_GAME = "business_game", _("Business game")
    BRAINSTORM = "brainstorm", _("Brainstorm")
    DEBATES = "debates", _("Pedagogical debates")
    COACHING = "coaching", _("Coaching")
    ROUND_TABLE = "round_table", _("Round table")
    PECHA_KUCHA = "pecha_kucha", _("Pecha kucha")
    WEBINAR = "webinar", _("Webinar")
    CONFERENCE = "conference", _("Conference")
    FORUM = "forum", _("Forum")
    DIALOGUE = "dialogue", _("Dialogue platform")
    METHODICAL_DAY = "methodical_day", _("Methodical day")
    METHODICAL_LANDING = "methodical_landing", _("Methodical landing")
    GMO_MEETING = "gmo_meeting", _("Meeting of a city methodical association (ГМО)")
    INSTRUCTIONAL_MEETING = "instructional_meeting", _("Instructional meeting")
    METHODICAL_MEETING = "methodical_meeting", _("Methodical meeting")
    CONSULTATION = "consultation", _("Consultation")
    INTERVIEW = "interview", _("Interview on results")
    PEDAGOGICAL_READINGS = "readings", _("Pedagogical readings")
    FESTIVAL = "festival", _("Pedagogical festival")
    COURSES = "courses", _("Courses")


class AudienceKind(models.TextChoices):
    MANAGEMENT_LOW_RESULTS = "mgmt_low", _("Management teams of ШНОР")
    MANAGEMENT_ALL = "mgmt_all", _("Management teams of all schools")
    DEPUTIES = "deputies", _("Deputy directors")
    SUBJECT_TEACHERS = "subject", _("Teachers of a subject")
    TEACHERS = "teachers", pgettext_lazy("events", "Teachers")
    CURATORS = "curators", _("Curators and coordinators")
    MENTORS = "mentors", _("Mentors and tutors")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


# Exactly one of municipality (a municipal event or material) and region (a regional one).
ONE_LEVEL = Q(municipality__isnull=False, region__isnull=True) | Q(municipality__isnull=True, region__isnull=False)


class Level(models.Model):
    """Where an event or a bank material belongs: a municipality (its own), or a region — a
    regional one, open to every municipality of the region and run by the region's
    coordinators.  Exactly one of the two (``ONE_LEVEL``)."""

    municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
    )
    region = models.ForeignKey(
        "schools.Region",
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("region (a regional one)"),
        null=True,
        blank=True,
    )

    scope_municipality_field = "municipality"
    scope_region_field = "region"

    class Meta:
        abstract = True

    @property
    def organiser(self):
        """The municipality, or the region of a regional event or material."""
        return self.region if self.region_id else self.municipality


def level_errors(obj) -> None:
    """A municipal object names its municipality, a regional one its region — never both."""
    if obj.municipality_id and obj.region_id:
        raise ValidationError({"region": _("Choose either the municipality or the region, not both.")})
    if not obj.municipality_id and not obj.region_id:
        raise ValidationError({"municipality": _("Choose the municipality, or the region for a regional one.")})
    if obj.region_id and getattr(obj, "school_id", None) and obj.school.municipality.region_id != obj.region_id:
        raise ValidationError({"school": _("The school must belong to the region.")})
    if (
        obj.region_id
        and getattr(obj, "host_school_id", None)
        and obj.host_school.municipality.region_id != obj.region_id
    ):
        raise ValidationError({"host_school": _("The host school must belong to the region.")})


class Theme(models.Model):
    """A theme of the bank and of events (formative assessment, functional literacy, …): data."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Event(Level):
    host_school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="hosted_events",
        verbose_name=_("host school"),
        null=True,
        blank=True,
    )
    format = models.CharField(_("format"), max_length=30, choices=EventFormat.choices)
    title = models.CharField(_("title"), max_length=500)
    status = models.CharField(_("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.PLANNED)
    organiser_schools = models.ManyToManyField(
        "schools.School", blank=True, related_name="organised_events", verbose_name=_("organising schools")
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organised_events", verbose_name=_("organisers (people)")
    )
    organisers_note = models.CharField(_("organisers (as written)"), max_length=500, blank=True)
    audience_kind = models.CharField(_("audience kind"), max_length=20, choices=AudienceKind.choices, blank=True)
    audience = models.CharField(_("audience"), max_length=500, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="events", verbose_name=_("themes"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    hours = models.PositiveSmallIntegerField(
        _("hours"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("The volume printed on the certificates of participation (empty: the event's length in hours)."),
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("Empty: no limit."))
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True)
    goal = models.TextField(_("goal"), blank=True)
    tasks = models.TextField(_("tasks"), blank=True, help_text=_("One per line."))
    expected_results = models.TextField(_("expected results"), blank=True, help_text=_("One per line."))
    key_ideas = models.TextField(_("key ideas"), blank=True, help_text=_("One per line."))
    results = models.TextField(_("results"), blank=True)
    decisions = models.TextField(_("management decisions"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "host_school"

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-start"]
        indexes = [models.Index(fields=["start"]), models.Index(fields=["format"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="event_end_after_start"),
            models.CheckConstraint(condition=ONE_LEVEL, name="event_municipal_or_regional"),
        ]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("events:event-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The event must end after it starts.")})
        if self.registration_deadline and self.end and self.registration_deadline > self.end:
            raise ValidationError({"registration_deadline": _("The registration deadline must not be after the end.")})
        if self.host_school_id and self.municipality_id and self.host_school.municipality_id != self.municipality_id:
            raise ValidationError({"host_school": _("The host school must belong to the event's municipality.")})
        level_errors(self)

    @property
    def display_title(self) -> str:
        """«Семинар «Формирующее оценивание»» — or the title alone where it already begins with
        its format («Консультация для заместителей…»), never the format twice."""
        label = str(self.get_format_display())
        if not label or self.title.casefold().startswith(label.casefold()):
            return self.title
        return f"{label} «{self.title}»"

    @property
    def state(self) -> str:
        """The status by date and status together (``events.selectors.held_q``): an event that
        has not ended is never «held», one that has ended (and was not cancelled) is."""
        from django.utils import timezone

        if self.status == EventStatus.CANCELLED:
            return EventStatus.CANCELLED
        return EventStatus.HELD if self.end <= timezone.now() else EventStatus.PLANNED

    def get_state_display(self) -> str:
        return str(EventStatus(self.state).label)

    def organiser_parts(self) -> list[str]:
        """Who organises it, in parts joined by «; » on the page and in documents: the note as
        written, the organising schools, the people — never an empty part."""
        parts = [self.organisers_note.strip()] if self.organisers_note.strip() else []
        schools = ", ".join(s.short_name for s in self.organiser_schools.all())
        people = ", ".join(u.short_name for u in self.organisers.all())
        return [*parts, *(p for p in (schools, people) if p)]

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]

    @property
    def certificate_hours(self) -> int:
        """The hours a certificate states: as set, else the event's length, at least one."""
        if self.hours:
            return self.hours
        return max(1, round((self.end - self.start).total_seconds() / 3600))

    def agenda_with_times(self) -> list:
        """The agenda steps with their times («10:00–10:20») counted from the start by their
        durations; after a step without a duration the times are left blank."""
        import datetime

        from django.utils import timezone

        at = timezone.localtime(self.start)
        steps = list(self.agenda.all())
        for step in steps:
            if at is not None and step.duration_minutes:
                end = at + datetime.timedelta(minutes=step.duration_minutes)
                step.times = f"{at:%H:%M}–{end:%H:%M}"
                at = end
            else:
                step.times, at = "", None
        return steps

    @property
    def task_lines(self) -> list[str]:
        return self.lines(self.tasks)

    @property
    def expected_lines(self) -> list[str]:
        return self.lines(self.expected_results)

    @property
    def idea_lines(self) -> list[str]:
        return self.lines(self.key_ideas)

    @property
    def decision_lines(self) -> list[str]:
        return self.lines(self.decisions)


class EventChild(models.Model):
    """Something that belongs to an event and shares its scope."""

    objects = ScopedQuerySet.as_manager()
    scope_municipality_field = "event__municipality"
    scope_school_field = "event__host_school"

    class Meta:
        abstract = True


class AgendaStep(EventChild):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("event"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("step"), max_length=500)
    description = models.TextField(_("content"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration, min"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    lead = models.CharField(_("who leads"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("agenda step")
        verbose_name_plural = _("agenda")
        ordering = ["event", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def description_lines(self) -> list[str]:
        return Event.lines(self.description)


class EventMaterial(EventChild):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials", verbose_name=_("event"))
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(
        _("file"), upload_to="events/materials/%Y/", blank=True, validators=[MATERIAL_FILE_VALIDATOR]
    )
    url = models.URLField(_("link"), blank=True)

    class Meta:
        verbose_name = _("event material")
        verbose_name_plural = _("event materials")
        ordering = ["event", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if not self.file and not self.url:
            raise ValidationError(_("Attach a file or give a link."))


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event"))
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="event_registrations", verbose_name=_("school")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("user"),
    )
    full_name = models.CharField(pgettext_lazy("person", "full name"), max_length=300)
    position = models.CharField(_("position"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED
    )
    attended = models.BooleanField(_("attended"), default=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    # When the notice of a move up from the waiting list went out (compare-and-set: sent once).
    promotion_notified_at = models.DateTimeField(_("move-up notice sent"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "id"]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.school})"


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating 1–5")
    TEXT = "text", _("Open answer")


# Questions every new event starts with (the reflection sheet of the seeds); editable per event.
DEFAULT_QUESTIONS = [
    (QuestionKind.RATING, _("How useful was the event for your work?")),
    (QuestionKind.RATING, _("How well was the event organised?")),
    (QuestionKind.RATING, _("How ready are you to use what you learnt?")),
    (QuestionKind.TEXT, _("What will you use in your school?")),
    (QuestionKind.TEXT, _("What difficulties remain? What would you suggest?")),
]


class FeedbackQuestion(EventChild):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions", verbose_name=_("event"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.RATING)
    text = models.CharField(_("question"), max_length=500)

    class Meta:
        verbose_name = _("feedback question")
        verbose_name_plural = _("feedback questions")
        ordering = ["event", "position", "id"]

    def __str__(self) -> str:
        return self.text


class FeedbackResponse(models.Model):
    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("registration")
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "registration__school"

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.registration.full_name}: {self.registration.event.title}"


class FeedbackAnswer(models.Model):
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(FeedbackQuestion, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "response__registration__school"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="feedback_answer_once")]

    def __str__(self) -> str:
        return str(self.rating) if self.rating is not None else self.text[:50]


class CalendarFeed(models.Model):
    """A secret token that lets a calendar application subscribe to a user's events."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.user)

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


# --- The bank of practices and materials -------------------------------------------------


class MaterialKind(models.TextChoices):
    PRACTICE = "practice", _("Positive practice")
    COLLECTION = "collection", _("Collection")
    METHODICAL = "methodical", _("Methodical material")


class MaterialQuerySet(ScopedQuerySet):
    """The bank follows the policy's rule (``accounts.scoping.RULES``): open to every
    signed-in user of the region; changing a material needs the usual scope."""


class Material(Level):
    kind = models.CharField(_("kind"), max_length=20, choices=MaterialKind.choices, default=MaterialKind.PRACTICE)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    authors = models.CharField(_("authors"), max_length=500, blank=True)
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="materials",
        verbose_name=_("authors' school"),
        null=True,
        blank=True,
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="materials", verbose_name=_("themes"))
    events = models.ManyToManyField(
        Event, blank=True, related_name="bank_materials", verbose_name=_("presented at events")
    )
    file = models.FileField(_("file"), upload_to="events/bank/%Y/", blank=True, validators=[MATERIAL_FILE_VALIDATOR])
    url = models.URLField(_("link"), blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = MaterialQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("bank of practices and materials")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=ONE_LEVEL, name="material_municipal_or_regional")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:material-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.school_id and self.municipality_id and self.school.municipality_id != self.municipality_id:
            raise ValidationError({"school": _("The school must belong to the material's municipality.")})
        level_errors(self)
