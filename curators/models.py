"""Curator assignments (and, later, partner pairs and visits)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ScopedQuerySet
from core.years import academic_year_label, current_academic_year


class AssignmentRole(models.TextChoices):
    SCHOOL_CURATOR = "school_curator", _("School curator")
    MUNICIPAL_COORDINATOR = "municipal_coordinator", _("Municipal coordinator")
    REGIONAL_CURATOR = "regional_curator", _("Regional curator")


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

    def clean(self) -> None:
        super().clean()
        if self.curator_id and self.school_id and self.curator.school_id == self.school_id:
            raise ValidationError({"curator": _("A curator cannot supervise their own school.")})
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValidationError({"date_to": _("The end date is before the start date.")})
