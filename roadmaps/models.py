"""School documents, roadmaps (goals → tasks → activities → indicators) and progress reports
with their review workflow.  Every model is scoped through accounts.scoping.

A roadmap belongs either to a school (``school``) or to a municipality (``owner_municipality``,
e.g. Gelendzhik's formative-assessment roadmap); exactly one of them is set."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.files import DOCUMENT_KINDS, EVIDENCE_KINDS, UploadValidator
from core.models import ScopedQuerySet
from core.years import academic_year_label

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class DocumentKind(models.TextChoices):
    CONCEPT = "concept", _("Development concept")
    MEDIUM_TERM = "medium_term", _("Medium-term programme")
    ANTI_RISK = "anti_risk", _("Anti-risk programme")
    PPKO = "ppko", _("Programme for raising education quality (ППКО)")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class SchoolDocument(models.Model):
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="roadmap_documents", verbose_name=_("school")
    )
    kind = models.CharField(pgettext_lazy("document", "kind"), max_length=20, choices=DocumentKind.choices)
    risk_factor = models.ForeignKey(
        "schools.RiskFactor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk factor"),
    )
    year = models.PositiveSmallIntegerField(_("academic year"))
    title = models.CharField(pgettext_lazy("roadmaps", "title"), max_length=500)
    file = models.FileField(
        _("file"), upload_to="roadmaps/documents/%Y/", blank=True, validators=[UploadValidator(DOCUMENT_KINDS)]
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    curator_comment = models.TextField(_("curator's comment"), blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("school document")
        verbose_name_plural = _("school documents")
        ordering = ["-year", "school", "kind", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("roadmaps:document-detail", args=[self.pk])

    def frozen_reason(self) -> str | None:
        """Submitted (under review) or approved: changed only through its transitions, never deleted."""
        if self.status in (DocumentStatus.SUBMITTED, DocumentStatus.APPROVED):
            return _("A submitted or approved document cannot be changed.")
        return None


class PeriodKind(models.TextChoices):
    HALF_YEAR = "half", _("Half-year")
    QUARTER = "quarter", _("Quarter")


class RoadmapStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")


class Roadmap(models.Model):
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roadmaps",
        verbose_name=_("school"),
    )
    owner_municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roadmaps",
        verbose_name=_("municipality (municipal roadmap)"),
    )
    title = models.CharField(pgettext_lazy("roadmaps", "title"), max_length=500)
    year = models.PositiveSmallIntegerField(_("academic year"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    period_kind = models.CharField(
        _("reporting period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.HALF_YEAR
    )
    report_due_days = models.PositiveSmallIntegerField(_("days to report after a period ends"), default=10)
    status = models.CharField(_("status"), max_length=12, choices=RoadmapStatus.choices, default=RoadmapStatus.DRAFT)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"
    scope_municipality_field = "owner_municipality"

    class Meta:
        verbose_name = _("roadmap")
        verbose_name_plural = _("roadmaps")
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(school__isnull=False, owner_municipality__isnull=True)
                | models.Q(school__isnull=True, owner_municipality__isnull=False),
                name="roadmap_one_owner",
            ),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="roadmap_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({academic_year_label(self.year)})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("roadmaps:roadmap-detail", args=[self.pk])

    @property
    def owner(self):
        return self.school or self.owner_municipality

    def frozen_reason(self) -> str | None:
        """The roadmap's own fields (owner, period, reporting rhythm — what its reports rest on)
        change only while it is a draft."""
        if self.status != RoadmapStatus.DRAFT:
            return _("A submitted or approved roadmap cannot be changed.")
        return None

    def delete_refusal(self) -> str | None:
        if reason := self.frozen_reason():
            return reason
        if self.reports.exclude(status__in=EDITABLE_REPORT_STATUSES).exists():
            return _("The roadmap has submitted or approved progress reports: it is kept.")
        return None

    def plan_frozen_reason(self) -> str | None:
        """The plan (goals, tasks, activities, indicators) is not changed while it is under review."""
        if self.status == RoadmapStatus.SUBMITTED:
            return _("The roadmap is under review: its plan cannot be changed until it is approved or returned.")
        return None

    @property
    def municipality_id(self):
        return self.school.municipality_id if self.school_id else self.owner_municipality_id


class PlanNode:
    """A goal, task, activity or indicator of a roadmap's plan.  Frozen while the roadmap is
    under review, and once a submitted, accepted or approved progress report speaks about it
    (what the curator reviewed and the coordinator signed is neither changed nor deleted: a
    new item is added instead)."""

    def _activities(self):
        raise NotImplementedError

    def frozen_reason(self) -> str | None:
        if reason := self.roadmap.plan_frozen_reason():
            return reason
        activities = self._activities()
        if (
            activities is not None
            and (
                ReportEntry.objects.filter(activity__in=activities).exclude(report__status__in=EDITABLE_REPORT_STATUSES)
            ).exists()
        ):
            return _(
                "This item is part of a submitted or approved progress report and cannot be changed or deleted; "
                "add a new item instead."
            )
        return None


class Goal(PlanNode, models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="goals", verbose_name=_("roadmap"))
    position = models.PositiveSmallIntegerField(_("sort order"), default=0)
    title = models.CharField(_("goal"), max_length=1000)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "roadmap__school"
    scope_municipality_field = "roadmap__owner_municipality"

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    def _activities(self):
        return Activity.objects.filter(task__goal_id=self.pk) if self.pk else None


class Task(PlanNode, models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("goal"))
    position = models.PositiveSmallIntegerField(_("sort order"), default=0)
    title = models.CharField(_("task"), max_length=1000)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "goal__roadmap__school"
    scope_municipality_field = "goal__roadmap__owner_municipality"

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def roadmap(self) -> Roadmap:
        return self.goal.roadmap

    def _activities(self):
        return Activity.objects.filter(task_id=self.pk) if self.pk else None


class ActivityStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", pgettext_lazy("activity status", "Done")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(PlanNode, models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="activities", verbose_name=_("task"))
    position = models.PositiveSmallIntegerField(_("sort order"), default=0)
    title = models.CharField(_("activity"), max_length=1000)
    responsible_name = models.CharField(_("responsible person"), max_length=300, blank=True)
    responsible_position = models.CharField(_("position of the responsible person"), max_length=300, blank=True)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible user"),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    expected_result = models.TextField(_("expected result"), blank=True)
    risk_factor = models.ForeignKey(
        "schools.RiskFactor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk it answers"),
    )
    # The status from the last submitted progress report (kept by the report services).
    progress_status = models.CharField(
        _("progress"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.NOT_STARTED
    )

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "task__goal__roadmap__school"
    scope_municipality_field = "task__goal__roadmap__owner_municipality"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def roadmap(self) -> Roadmap:
        return self.task.goal.roadmap

    def _activities(self):
        return Activity.objects.filter(pk=self.pk) if self.pk else None

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return bool(
            self.due_date
            and self.due_date < timezone.localdate()
            and self.progress_status not in (ActivityStatus.DONE, ActivityStatus.CANCELLED)
        )


class Indicator(PlanNode, models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("activity")
    )
    name = models.CharField(_("indicator"), max_length=500)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True, blank=True)
    # Optional link to an assessment figure: the assessment app fills actual values through
    # roadmaps.services.indicator_set_actual_from_analysis.
    source_procedure = models.CharField(_("assessment procedure"), max_length=50, blank=True)
    source_subject = models.CharField(_("subject"), max_length=100, blank=True)
    source_grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    source_metric = models.CharField(_("metric"), max_length=50, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "activity__task__goal__roadmap__school"
    scope_municipality_field = "activity__task__goal__roadmap__owner_municipality"

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}, {self.unit}" if self.unit else self.name

    @property
    def roadmap(self) -> Roadmap:
        return self.activity.task.goal.roadmap

    def _activities(self):
        # A new indicator of a reported activity changes what that report measured.
        return Activity.objects.filter(pk=self.activity_id) if self.activity_id else None

    @property
    def is_linked(self) -> bool:
        return bool(self.source_procedure and self.source_metric)

    @property
    def is_measurable(self) -> bool:
        return bool(self.name and self.target is not None)


class ActualSource(models.TextChoices):
    MANUAL = "manual", _("Entered by the school")
    ANALYSIS = "analysis", _("Results analysis")


class IndicatorActual(models.Model):
    """The actual value of an indicator for one reporting period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="actuals")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("actual value"), max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=10, choices=ActualSource.choices, default=ActualSource.MANUAL)
    updated = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "indicator__activity__task__goal__roadmap__school"
    scope_municipality_field = "indicator__activity__task__goal__roadmap__owner_municipality"

    class Meta:
        verbose_name = _("actual value")
        verbose_name_plural = _("actual values")
        ordering = ["indicator", "period_start"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period_start"], name="actual_unique_period")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned for revision")
    ACCEPTED = "accepted", _("Accepted by the curator")
    APPROVED = "approved", _("Approved")


EDITABLE_REPORT_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


class ProgressReport(models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="reports", verbose_name=_("roadmap"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    return_reason = models.TextField(_("reasons for return"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    snapshot = models.JSONField(_("snapshot at approval"), null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "roadmap__school"
    scope_municipality_field = "roadmap__owner_municipality"

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-period_start", "roadmap"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "period_start"], name="report_unique_period")]

    def __str__(self) -> str:
        return f"{self.roadmap.title}: {self.period_label}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("roadmaps:report-detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        return period_name(self.period_start, self.roadmap.period_kind)

    @property
    def is_editable(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)

    @property
    def is_late(self) -> bool:
        from django.utils import timezone

        return self.is_editable and self.due_date < timezone.localdate()


class ReportEntry(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="entries")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="entries")
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.NOT_STARTED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=1000, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    evidence_link = models.URLField(_("evidence link"), blank=True)
    curator_comment = models.TextField(_("curator's comment"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "report__roadmap__school"
    scope_municipality_field = "report__roadmap__owner_municipality"

    class Meta:
        verbose_name = _("report entry")
        verbose_name_plural = _("report entries")
        ordering = ["activity__task__goal__position", "activity__task__position", "activity__position", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "activity"], name="entry_unique_activity")]

    def __str__(self) -> str:
        return f"{self.activity}: {self.get_status_display()}"


class Evidence(models.Model):
    entry = models.ForeignKey(ReportEntry, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(
        _("evidence file"),
        upload_to="roadmaps/evidence/%Y/",
        validators=[UploadValidator(EVIDENCE_KINDS, max_bytes=EVIDENCE_MAX_BYTES)],
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "entry__report__roadmap__school"
    scope_municipality_field = "entry__report__roadmap__owner_municipality"

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class ReportTransition(models.Model):
    """Who moved a report from one state to another, when, and why."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=ReportStatus.choices)
    to_status = models.CharField(max_length=12, choices=ReportStatus.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "report__roadmap__school"
    scope_municipality_field = "report__roadmap__owner_municipality"

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Report due soon")
    OVERDUE = "overdue", _("Report overdue")


class ReminderSent(models.Model):
    """One row per reminder e-mail: the reminder task checks it, so a rerun sends nothing twice."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "period_start", "kind", "user"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start} → {self.user_id}"


def period_name(start: datetime.date, kind: str, short: bool = False) -> str:
    """«I полугодие 2026/2027», «III четверть 2026/2027» for the period starting on ``start``;
    ``short``: «III 26/27» (chart axes)."""
    year = start.year if start.month >= 9 else start.year - 1
    if kind == PeriodKind.QUARTER:
        n = "I" if start.month in (9, 10) else "II" if start.month in (11, 12) else "III" if start.month <= 3 else "IV"
    else:
        n = "I" if start.month >= 9 else "II"
    if short:
        return f"{n} {year % 100:02d}/{(year + 1) % 100:02d}"
    if kind == PeriodKind.QUARTER:
        return gettext("quarter %(n)s %(year)s") % {"n": n, "year": academic_year_label(year)}
    return gettext("half-year %(n)s %(year)s") % {"n": n, "year": academic_year_label(year)}


def period_dates(roadmap: Roadmap) -> list[tuple[datetime.date, datetime.date, str]]:
    """The reporting periods of a roadmap: academic half-years (1 Sep – 31 Dec, 1 Jan – 31 Aug)
    or quarters (Sep–Oct, Nov–Dec, Jan–Mar, Apr–Aug), cut to the roadmap's dates."""
    return [(start, end, period_name(start, roadmap.period_kind)) for start, end in period_bounds(roadmap)]


def period_bounds(roadmap: Roadmap) -> list[tuple[datetime.date, datetime.date]]:
    """``period_dates`` without the periods' names (what the figures need; naming a period
    translates it)."""
    result = []
    year = roadmap.start_date.year if roadmap.start_date.month >= 9 else roadmap.start_date.year - 1
    while datetime.date(year, 9, 1) <= roadmap.end_date:
        if roadmap.period_kind == PeriodKind.QUARTER:
            parts = [
                (datetime.date(year, 9, 1), datetime.date(year, 10, 31)),
                (datetime.date(year, 11, 1), datetime.date(year, 12, 31)),
                (datetime.date(year + 1, 1, 1), datetime.date(year + 1, 3, 31)),
                (datetime.date(year + 1, 4, 1), datetime.date(year + 1, 8, 31)),
            ]
        else:
            parts = [
                (datetime.date(year, 9, 1), datetime.date(year, 12, 31)),
                (datetime.date(year + 1, 1, 1), datetime.date(year + 1, 8, 31)),
            ]
        for start, end in parts:
            start, end = max(start, roadmap.start_date), min(end, roadmap.end_date)
            if start <= end:
                result.append((start, end))
        year += 1
    return result
