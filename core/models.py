"""Shared model machinery: every scoped model's queryset restricts itself through the
portal's policy module (core.policy → ``settings.OPORA_POLICY``), so a view cannot forget
permissions."""

import posixpath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import policy


class ScopedQuerySet(models.QuerySet):
    """A queryset that can restrict itself to what a user may see or change.

    A model declares where its scope lives: ``scope_school_field`` (path to a School, or
    "id" on School itself) and/or ``scope_municipality_field`` (path to a Municipality) —
    or the policy names a rule of its own for it.  The querysets hold no rule themselves.
    """

    def restrict(self, user, action: str = policy.VIEW):
        return policy.restrict(self, user, action)


# --- checked imports ----------------------------------------------------------------------------


class ImportState(models.TextChoices):
    """The states of a checked import: checked on upload (waiting for confirmation) or refused
    with every error; then imported whole or cancelled."""

    CHECKED = "checked", _("Checked, waiting for confirmation")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


# The moves a checked import may make; DONE, FAILED and CANCELLED are final.
IMPORT_TRANSITIONS = {ImportState.CHECKED: (ImportState.DONE, ImportState.FAILED, ImportState.CANCELLED)}


class TransitionRefused(Exception):
    """The import is not in a state that allows the move (another request moved it first)."""


def import_upload_to(instance, filename: str) -> str:
    """``<app>/imports/YYYY/MM/<name>``: each app's files in its own folder."""
    return posixpath.join(timezone.now().strftime(f"{instance._meta.app_label}/imports/%Y/%m"), filename)


class UploadedFile(models.Model):
    """One uploaded file of an import (results, task plans, school context): who, when, its
    checksum and size, how many rows, every error, the message and the years it touched."""

    file = models.FileField(_("file"), upload_to=import_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    # Whose coordinators see the import (a lazy reference: core imports no domain app).
    municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    years = models.JSONField(_("years"), default=list, blank=True)

    scope_municipality_field = "municipality"

    class Meta:
        abstract = True
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.created:%d.%m.%Y %H:%M})" if self.created else self.original_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(f"{self._meta.app_label}:import-detail", args=[self.pk])


class CheckedImport(UploadedFile):
    """One uploaded file of a checked import (``core.checked_imports``): checked at once on
    upload — a preview, or refused with every error — then imported whole when confirmed, or
    cancelled.  The concrete model adds its counts (new, replaced…) and its queryset."""

    status = models.CharField(_("status"), max_length=20, choices=ImportState.choices, default=ImportState.CHECKED)

    class Meta(UploadedFile.Meta):
        abstract = True

    @property
    def awaits_confirmation(self) -> bool:
        return self.status == ImportState.CHECKED

    def move(self, to: str, **fields) -> None:
        """Move to ``to`` (with ``fields`` written in the same UPDATE) if the state the row has
        *in the database* allows it — one conditional UPDATE, so of two requests racing to
        confirm and cancel only one wins; ``TransitionRefused`` otherwise.  A final state
        stamps ``finished``."""
        allowed_from = [s for s, targets in IMPORT_TRANSITIONS.items() if to in targets]
        if to in (ImportState.DONE, ImportState.FAILED, ImportState.CANCELLED):
            fields.setdefault("finished", timezone.now())
        if "message" in fields:
            fields["message"] = str(fields["message"])[:500]
        moved = type(self)._base_manager.filter(pk=self.pk, status__in=allowed_from).update(status=to, **fields)
        if not moved:
            raise TransitionRefused(f"{self._meta.label} {self.pk}: no move to {to}")
        self.refresh_from_db()

    def note(self, **fields) -> None:
        """Write counts or the message of the current state (no move)."""
        if "message" in fields:
            fields["message"] = str(fields["message"])[:500]
        type(self)._base_manager.filter(pk=self.pk).update(**fields)
        self.refresh_from_db()
