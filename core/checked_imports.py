"""The one service of a checked import (task plans, school context): upload → the file's
size and shape (``core.spreadsheets``, through the app's reader) → parse → every row through
the app's validator, every error collected with its Russian reason → stored as «checked»
(a preview) or «refused»; then ``confirm`` (checked again, applied in one transaction, whole
or not at all) or ``cancel``; a refused file comes back with an error column.

An app subclasses ``CheckedImportService`` once: its model (a ``core.models.CheckedImport``),
its ``FileFormat``, ``validate(table, batch) -> Checked`` (its row validator over the one
row-reading loop, then the checks against the database), ``summary(batch, checked) -> fields``
(the counts and message of the preview) and ``apply(batch, checked, user) -> fields`` (the
write; the counts and message of the done state).  Refusals are ``ImportRefused``, a ``ValidationError`` (``core.errors``)."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core import policy
from core.models import CheckedImport, ImportState, TransitionRefused
from core.tabular import Checked, FileFormat, FileRefused, import_error


class ImportRefused(ValidationError):
    """Why an import may not be confirmed or cancelled (not waiting for it, not yours).  An
    app's subclass says in ``not_yours`` why someone who may not see an import may not
    confirm it."""

    not_yours = ""

    def __init__(self, message):
        super().__init__(message, code="refused")

    def __str__(self) -> str:
        return self.messages[0]


class CheckedImportService(ABC):
    """An app's import declares its ``model``, ``file`` (``FileFormat``) and ``refused`` (its
    ``ImportRefused``), and implements ``may_import``, ``validate``, ``summary`` and ``apply``."""

    model: type[CheckedImport]
    file: FileFormat
    refused: type[ImportRefused] = ImportRefused

    @abstractmethod
    def may_import(self, user) -> bool:
        """Whether ``user`` may upload a file of this import (the pages answer 404 otherwise)."""

    @abstractmethod
    def validate(self, table, batch: CheckedImport) -> Checked:
        """Every row of ``table`` (``self.file.check_rows``), then the checks against the database."""

    @abstractmethod
    def summary(self, batch: CheckedImport, checked: Checked) -> dict:
        """The counts and the message of a checked file, before confirmation."""

    @abstractmethod
    def apply(self, batch: CheckedImport, checked: Checked, user) -> dict:
        """Write the checked rows (inside the confirming transaction); the counts and message."""

    def lock(self) -> None:  # noqa: B027 — a hook, nothing by default
        """Taken first in the confirming transaction."""

    # --- reading and checking -------------------------------------------------------------

    def check(self, batch: CheckedImport) -> Checked:
        """Read the batch's stored file and check every row against the database as it is now;
        a file that cannot be read is one error of row 0."""
        try:
            with batch.file.open("rb") as fh:
                table = self.file.read(fh.read(), batch.original_name)
        except FileRefused as exc:
            return Checked(errors=[import_error(0, "", "", str(exc))])
        return self.validate(table, batch)

    def _refuse(self, batch: CheckedImport, checked: Checked) -> CheckedImport:
        errors = checked.errors
        message = (
            errors[0]["reason"]
            if len(errors) == 1 and errors[0]["row"] == 0
            else _("The file has %(n)d errors; nothing was imported.") % {"n": len(errors)}
        )
        batch.move(
            ImportState.FAILED,
            errors=errors,
            error_count=len(errors),
            rows_total=checked.rows_read,
            message=message,
        )
        return batch

    # --- the doors --------------------------------------------------------------------------

    def create(self, *, user, uploaded_file) -> CheckedImport:
        """Store the uploaded file and check it at once: refused with every error, or checked
        and waiting for confirmation (``confirm``)."""
        data = uploaded_file.read()
        name = uploaded_file.name.replace("\\", "/").rsplit("/", 1)[-1][:200]
        batch = self.model(
            original_name=name,
            checksum=hashlib.sha256(data).hexdigest(),
            size=len(data),
            uploaded_by=user if user is not None and user.pk else None,
            municipality_id=getattr(user, "municipality_id", None) if user else None,
        )
        batch.file.save(name, ContentFile(data), save=False)
        batch.save()
        checked = self.check(batch)
        if checked.errors:
            return self._refuse(batch, checked)
        batch.note(rows_total=len(checked.rows), years=checked.years, **self.summary(batch, checked))
        return batch

    def may_confirm(self, batch: CheckedImport, user) -> bool:
        """The uploader, a coordinator of the import's municipality, a superuser; ``None`` is
        the command line (the policy's ``may_confirm_import``)."""
        return policy.may_confirm_import(user, batch)

    def _allowed(self, batch: CheckedImport, user) -> None:
        if not self.may_confirm(batch, user):
            raise self.refused(self.refused.not_yours)

    def confirm(self, *, batch: CheckedImport, user) -> CheckedImport:
        """Import a checked batch whole, in one transaction: the file is checked again first
        (the database may have changed since the preview) and any error refuses it whole."""
        self._allowed(batch, user)
        with transaction.atomic():
            self.lock()
            locked = self.model._base_manager.select_for_update().get(pk=batch.pk)
            if locked.status != ImportState.CHECKED:
                raise self.refused(_("Only a checked import waiting for confirmation can be imported."))
            checked = self.check(locked)
            if checked.errors:
                self._refuse(locked, checked)
            else:
                fields = self.apply(locked, checked, user)
                locked.move(ImportState.DONE, rows_total=len(checked.rows), years=checked.years, **fields)
        batch.refresh_from_db()
        return batch

    def cancel(self, *, batch: CheckedImport, user) -> CheckedImport:
        self._allowed(batch, user)
        try:
            batch.move(ImportState.CANCELLED, message=_("Cancelled: nothing was imported."))
        except TransitionRefused:
            raise self.refused(_("Only a checked import waiting for confirmation can be cancelled.")) from None
        return batch

    def import_file(self, path: str, *, user=None, dry_run: bool = False) -> CheckedImport:
        """The management command's door: check the file, and import it unless ``dry_run``."""
        with open(path, "rb") as fh:
            data = fh.read()
        upload = ContentFile(data, name=path.replace("\\", "/").rsplit("/", 1)[-1])
        with transaction.atomic():
            batch = self.create(user=user, uploaded_file=upload)
            if batch.status == ImportState.CHECKED and not dry_run:
                batch = self.confirm(batch=batch, user=user)
        return batch

    def error_file(self, batch: CheckedImport) -> tuple[bytes, str, str]:
        """A refused import's file again with an «Ошибки» column: (content, extension, MIME type);
        ``FileRefused`` when the stored file can no longer be read."""
        with batch.file.open("rb") as fh:
            table = self.file.read(fh.read(), batch.original_name)
        return self.file.error_report(table, batch.errors)
