"""Curator assignments (and, later, partner pairs and visits)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import ScopedQuerySet
from core.years import academic_year_label, current_academic_year


class AssignmentRole(models.TextChoices):
    SCHOOL_CURATOR = "school_curator", _("School curator")
    MUNICIPAL_COORDINATOR = "municipal_coordinator", _("Municipal coordinator")
    REGIONAL_CURATOR = "regional_curator", _("Regional curator")


def in_force_q(prefix: str = "") -> models.Q:
    """An assignment in force today (``CuratorAssignment.in_force`` in SQL)."""
    from django.utils import timezone

    today = timezone.localdate()
    Q = models.Q
    return (
        Q(**{f"{prefix}is_active": True, f"{prefix}year": current_academic_year()})
        & (Q(**{f"{prefix}date_from__isnull": True}) | Q(**{f"{prefix}date_from__lte": today}))
        & (Q(**{f"{prefix}date_to__isnull": True}) | Q(**{f"{prefix}date_to__gte": today}))
    )


class CuratorAssignmentQuerySet(ScopedQuerySet):
    def current(self, year: int | None = None):
        """Assignments in force in the given (default: current) academic year."""
        return self.filter(year=year or current_academic_year(), is_active=True)


class CuratorAssignment(models.Model):
    """A curator appointed by an order to a school for a programme year."""

    curator = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="curator_assignments", verbose_name=_("curator")
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="curator_assignments", verbose_name=_("school")
    )
    year = models.PositiveSmallIntegerField(_("academic year"))
    role = models.CharField(
        _("role"), max_length=30, choices=AssignmentRole.choices, default=AssignmentRole.SCHOOL_CURATOR
    )
    order = models.ForeignKey(
        "schools.Order",
        on_delete=models.PROTECT,
        related_name="curator_assignments",
        verbose_name=_("order"),
        null=True,
        blank=True,
    )
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # As the order names them (the seeds' curators tables: «Место работы куратора», «Должность
    # куратора»); filled from the curator's profile when left empty.
    workplace = models.CharField(_("place of work"), max_length=300, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = CuratorAssignmentQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("curator assignment")
        verbose_name_plural = _("curator assignments")
        ordering = ["-year", "school", "curator"]
        constraints = [
            models.UniqueConstraint(fields=["curator", "school", "year", "role"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.curator} → {self.school} ({academic_year_label(self.year)})"

    @property
    def in_force(self) -> bool:
        """In force today: not ended, of the current academic year, within its dates."""
        from django.utils import timezone

        today = timezone.localdate()
        return (
            self.is_active
            and self.year == current_academic_year()
            and (self.date_from is None or self.date_from <= today)
            and (self.date_to is None or today <= self.date_to)
        )

    @property
    def state_label(self) -> str:
        """«Действует», «Завершено» (a past year or ended), «Ещё не началось» (a later year)."""
        from django.utils import timezone

        if self.in_force:
            return str(_("in force"))
        now = current_academic_year()
        later = self.year > now or (self.year == now and self.date_from and self.date_from > timezone.localdate())
        return str(_("not started yet")) if self.is_active and later else str(_("ended"))

    def clean(self) -> None:
        super().clean()
        if self.curator_id and self.school_id and self.curator.school_id == self.school_id:
            raise ValidationError({"curator": _("A curator cannot supervise their own school.")})
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValidationError({"date_to": _("The end date is before the start date.")})


class PartnerPair(models.Model):
    """A ШНОР paired with a leader school for a programme year, with a plan of joint work."""

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="partner_pairs", verbose_name=_("supported school")
    )
    leader = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="led_pairs", verbose_name=_("leader school")
    )
    year = models.PositiveSmallIntegerField(_("academic year"))
    order = models.ForeignKey(
        "schools.Order", on_delete=models.PROTECT, related_name="partner_pairs", verbose_name=_("order")
    )
    plan = models.TextField(_("plan of joint work"), blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("partner pair")
        verbose_name_plural = _("partner pairs")
        ordering = ["-year", "school__sort_name"]
        constraints = [models.UniqueConstraint(fields=["school", "leader", "year"], name="partner_pair_unique")]

    def __str__(self) -> str:
        return f"{self.school} ↔ {self.leader} ({academic_year_label(self.year)})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("curators:pair-detail", args=[self.pk])


class VisitKind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    INTERVIEW = "interview", pgettext_lazy("visit kind", "Interview on results")
    LESSONS = "lessons", _("Lesson observation")
    LANDING = "landing", _("Methodical landing")
    MONITORING = "monitoring", _("Monitoring visit")
    METHODICAL_DAY = "methodical_day", _("Methodical day")


class Visit(models.Model):
    """A curator's (or a team's) visit to a school."""

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="visits", verbose_name=_("school")
    )
    curator = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="visits", verbose_name=_("curator")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=VisitKind.choices)
    date = models.DateField(_("date"))
    participants = models.TextField(_("participants"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    extracurricular_observed = models.PositiveSmallIntegerField(_("extracurricular activities observed"), default=0)
    confirmed_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.school}, {self.date:%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("curators:visit-detail", args=[self.pk])


# The scale of a lesson's three criteria: the form's choices and the legend under every table.
RATING_SCALE = {1: _("not shown"), 2: _("shown partly"), 3: _("shown fully")}


class LessonObservation(models.Model):
    """A lesson observed during a visit, rated on three criteria (1 — not shown, 3 — fully)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("visit"))
    teacher = models.CharField(_("teacher"), max_length=200)
    subject = models.CharField(_("subject"), max_length=100)
    grade = models.PositiveSmallIntegerField(_("grade"))
    rating_goals = models.PositiveSmallIntegerField(_("goals and planning"), null=True, blank=True)
    rating_methods = models.PositiveSmallIntegerField(_("methods and activity of students"), null=True, blank=True)
    rating_assessment = models.PositiveSmallIntegerField(_("assessment and feedback"), null=True, blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "visit__school"

    class Meta:
        verbose_name = _("lesson observation")
        verbose_name_plural = _("lesson observations")
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return f"{self.subject}, {self.grade} — {self.teacher}"


class RecommendationStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    CLOSED = "closed", _("closed")


class Recommendation(models.Model):
    """A recommendation of a visit: the school marks it done, the curator closes it.
    It is overdue while open after its due date."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("visit"))
    text = models.TextField(_("recommendation"))
    owner_text = models.CharField(_("owner"), max_length=200, blank=True)
    owner_user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner (user)"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.OPEN
    )
    done_comment = models.TextField(_("school's comment"), blank=True)
    done_at = models.DateTimeField(_("marked done"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("closed by")
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "visit__school"

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def owner(self) -> str:
        return str(self.owner_user) if self.owner_user_id else self.owner_text

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.status == RecommendationStatus.OPEN and self.due_date < timezone.localdate()

    @property
    def state(self) -> str:
        return "overdue" if self.is_overdue else self.status

    def get_state_display(self) -> str:
        return str(_("overdue")) if self.is_overdue else self.get_status_display()
