"""Generated documents are kept: who asked, for what, when, and the file ("my reports")."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import ScopedQuerySet
from core.years import academic_year_label


class ReportKind(models.TextChoices):
    SCHOOL = "school", _("School report")
    MUNICIPAL = "municipal", _("Municipal monitoring report")
    INFO_NOTE = "info_note", _("Information note on work with low-result schools")
    ORDER_LOW_RESULTS = "order_low_results", _("Draft order: list of low-result schools")
    ORDER_CURATORS = "order_curators", _("Draft order: appointment of curators")
    ORDER_PARTNERS = "order_partners", _("Draft order: partner pairs")


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("being built")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class GeneratedReportQuerySet(ScopedQuerySet):
    """A generated document is its requester's while its subject is in their scope
    (``accounts.scoping.RULES``)."""


class GeneratedReport(models.Model):
    kind = models.CharField(_("document"), max_length=30, choices=ReportKind.choices)
    fmt = models.CharField(
        pgettext_lazy("file", "format"), max_length=5, choices=ReportFormat.choices, default=ReportFormat.PDF
    )
    title = models.CharField(_("title"), max_length=500)
    year = models.PositiveSmallIntegerField(_("academic year"))
    municipality = models.ForeignKey(
        "schools.Municipality",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("municipality"),
    )
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="generated_reports", verbose_name=_("requested by")
    )
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    checksum = models.CharField(_("checksum"), max_length=20, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    text = models.TextField(
        _("text as issued"),
        blank=True,
        help_text=_("The narrative of an information note as the coordinator issued it."),
    )
    created = models.DateTimeField(_("requested"), auto_now_add=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = GeneratedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        ordering = ["-created"]
        indexes = [models.Index(fields=["requested_by", "-created"])]

    def __str__(self) -> str:
        return f"{self.title} ({academic_year_label(self.year)})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("reports:report-detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)


class InfoNoteQuerySet(ScopedQuerySet):
    pass


class InfoNote(models.Model):
    """The coordinator's edited text of the information note of a municipality and year
    (reports.narrative): generated from the data, edited in the browser, issued as PDF and
    .docx; each issued file keeps the text it was made from (``GeneratedReport.text``)."""

    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    year = models.PositiveSmallIntegerField(_("academic year"))
    text = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("edited by")
    )
    updated = models.DateTimeField(_("edited"), auto_now=True)

    objects = InfoNoteQuerySet.as_manager()
    scope_municipality_field = "municipality"

    class Meta:
        verbose_name = _("information note text")
        verbose_name_plural = _("information note texts")
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="info_note_one_per_year")]

    def __str__(self) -> str:
        return f"{self.municipality} {academic_year_label(self.year)}"
