"""Writes of the context app: context imports (check → preview → import, whole or nothing),
a coordinator's correction of one school's row, the context analysis (CONTEXT.md §2–§4),
and a pair formed from a partner suggestion (through the curators' own service)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts import scoping
from accounts.scoping import MANAGE, can, schools_for
from core.checked_imports import CheckedImportService, ImportRefused
from core.errors import Forbidden
from core.years import academic_year_label
from schools.models import School
from schools.services import validate_year
from socialcontext import analysis
from socialcontext.fileformat import CONTEXT_FILE, VALUE_FIELDS, Checked, check_table
from socialcontext.models import (
    INDICATOR_FIELDS,
    ContextImport,
    ContextSource,
    PartnerSuggestion,
    SchoolContext,
    SchoolContextFigure,
)

log = logging.getLogger(__name__)


class ContextImportRefused(ImportRefused):
    """The import cannot be confirmed (already imported, cancelled, not yours)."""

    not_yours = gettext_lazy("Only a coordinator may import context data.")


# --- import -----------------------------------------------------------------------------------


def _allowed_schools(user) -> dict[str, int]:
    qs = School.objects.all() if user is None or user.is_superuser else schools_for(user, MANAGE)
    return dict(qs.values_list("code", "id"))


def _municipality_of(school_ids: set[int], user):
    municipalities = set(School.objects.filter(id__in=school_ids).values_list("municipality_id", flat=True))
    if len(municipalities) == 1:
        return municipalities.pop()
    return getattr(user, "municipality_id", None)


def _existing(checked: Checked) -> dict[tuple[int, int], SchoolContext]:
    """The stored rows the file's rows would replace, by (school, year)."""
    keys = {(r.school_id, r.year) for r in checked.rows}
    if not keys:
        return {}
    rows = SchoolContext.objects.filter(
        school_id__in={k[0] for k in keys}, year__in={k[1] for k in keys}
    ).select_related("school")
    return {(c.school_id, c.year): c for c in rows if (c.school_id, c.year) in keys}


@dataclass
class PreviewRow:
    line: int
    school: School
    year: int
    values: list  # (field, new value, old value) per VALUE_FIELDS
    replaces: bool
    changed: bool


def context_import_preview(batch: ContextImport, limit: int = 300) -> tuple[list[PreviewRow], int]:
    """The rows of a checked batch as they would be imported, each marked new or replacing a
    stored row (with the values it replaces); at most ``limit`` rows, and the total."""
    checked = CONTEXT_IMPORT.check(batch)
    if checked.errors:
        return [], 0
    existing = _existing(checked)
    schools = School.objects.in_bulk([r.school_id for r in checked.rows[:limit]])
    rows = []
    for r in checked.rows[:limit]:
        old = existing.get((r.school_id, r.year))
        values = [(f, r.values[f], getattr(old, f) if old else None) for f in VALUE_FIELDS]
        changed = old is None or any(new != before for _f, new, before in values)
        rows.append(PreviewRow(r.line, schools[r.school_id], r.year, values, old is not None, changed))
    return rows, len(checked.rows)


def _write(batch: ContextImport, checked: Checked, user) -> tuple[int, int]:
    existing = _existing(checked)
    new, changed = [], []
    for r in checked.rows:
        row = existing.get((r.school_id, r.year))
        if row is None:
            new.append(
                SchoolContext(school_id=r.school_id, year=r.year, source=ContextSource.IMPORT, batch=batch, **r.values)
            )
            continue
        if (
            row.source != ContextSource.IMPORT
            or row.batch_id != batch.pk
            or any(getattr(row, f) != v for f, v in r.values.items())
        ):
            for f, v in r.values.items():
                setattr(row, f, v)
            row.source, row.batch = ContextSource.IMPORT, batch
            row.updated = timezone.now()
            changed.append(row)
    reason = _("context import %(name)s") % {"name": batch.original_name}
    author = user if user is not None and user.pk else None
    if new:
        bulk_create_with_history(new, SchoolContext, batch_size=1000, default_user=author, default_change_reason=reason)
    if changed:
        bulk_update_with_history(
            changed,
            SchoolContext,
            [*VALUE_FIELDS, "source", "batch", "updated"],
            batch_size=1000,
            default_user=author,
            default_change_reason=reason,
        )
    return len(new), len(existing)


class ContextImportService(CheckedImportService):
    model = ContextImport
    file = CONTEXT_FILE
    refused = ContextImportRefused

    def may_import(self, user) -> bool:
        """Context files are imported by whoever manages schools (coordinators)."""
        return scoping.may_import(user)

    def validate(self, table, batch) -> Checked:
        """Every row against the database as it is now: the schools the uploader may change."""
        known = set(School.objects.values_list("code", flat=True))
        return check_table(table, _allowed_schools(batch.uploaded_by), known)

    def summary(self, batch, checked):
        existing = _existing(checked)
        message = _("Check passed, rows without errors: %(n)d. Look through them and confirm the import.")
        return {
            "rows_created": len(checked.rows) - len(existing),
            "rows_updated": len(existing),
            "municipality_id": _municipality_of({r.school_id for r in checked.rows}, batch.uploaded_by),
            "message": message % {"n": len(checked.rows)},
        }

    def apply(self, batch, checked, user):
        """The rows replace the stored (school, year) rows (history kept); the context analysis
        follows for their years."""
        created, updated = _write(batch, checked, user)
        years = checked.years
        transaction.on_commit(lambda: context_analysis_queue(years, f"context-import:{batch.pk}"))
        message = _("Imported %(n)d rows (%(new)d new, %(replaced)d replaced).")
        return {
            "rows_created": created,
            "rows_updated": updated,
            "message": message % {"n": len(checked.rows), "new": created, "replaced": updated},
        }


# Upload and check (refused with every error, or checked and waiting), import a checked batch
# whole (checked again first, any error refuses it whole), cancel it, the command's door:
# ``CONTEXT_IMPORT.create`` …
CONTEXT_IMPORT = ContextImportService()


# --- one row by hand ----------------------------------------------------------------------------


def school_context_validate(context: SchoolContext) -> None:
    errors: dict[str, list[str]] = {}
    try:
        validate_year(context.year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for name in INDICATOR_FIELDS:
        value = getattr(context, name)
        if value is not None and not 0 <= value <= 100:
            errors.setdefault(name, []).append(_("A percent must be from 0 to 100."))
    if context.students is not None and context.students < 0:
        errors.setdefault("students", []).append(_("The number of students must be a whole number not below 0."))
    duplicate = SchoolContext.objects.filter(school_id=context.school_id, year=context.year).exclude(pk=context.pk)
    if context.school_id and context.year and duplicate.exists():
        errors.setdefault("year", []).append(
            _("The school already has a context row for %(year)s: correct that row.")
            % {"year": academic_year_label(context.year)}
        )
    if errors:
        raise ValidationError(errors)


def school_context_save(*, context: SchoolContext, user) -> SchoolContext:
    """A coordinator enters or corrects one school's row (history keeps the previous values);
    the context analysis of that year follows."""
    if not can(user, MANAGE, context.school):
        raise Forbidden()
    school_context_validate(context)
    context.source = ContextSource.FORM
    context.batch = None
    try:
        with transaction.atomic():
            context.save()
    except IntegrityError:
        raise ValidationError({"year": [_("The school already has a context row for this year.")]})
    year = context.year
    transaction.on_commit(lambda: context_analysis_queue([year], "context-form"))
    return context


# --- analysis ----------------------------------------------------------------------------------


def context_years() -> list[int]:
    """Years with context rows or with stored context figures (those must go when rows went)."""
    from socialcontext.models import ContextFit, PartnerSuggestion

    years = set(SchoolContext.objects.order_by().values_list("year", flat=True).distinct())
    for model in (SchoolContextFigure, ContextFit, PartnerSuggestion):
        years |= set(model.objects.order_by().values_list("year", flat=True).distinct())
    return sorted(years)


def context_analysis(years: list[int] | None = None) -> dict:
    """Recompute §2–§4 for ``years`` (every year with context data by default) in the caller's
    transaction."""
    target = sorted({int(y) for y in years}) if years else context_years()
    counts = analysis.compute(target, analysis.Thresholds.from_settings())
    log.info("context analysis: years %s, %s", target, counts)
    return counts


def on_analysis_computed(sender, run, years, **kwargs) -> dict:
    """The results analysis has stored its indices and flags (``assessment.signals``): recompute
    the context figures of the same years in its transaction — every year with context data
    when it is the nightly run."""
    target = sorted(set(years) | set(context_years())) if run.trigger == "nightly" else years
    return context_analysis(target) if target else {}


def context_analysis_run(years: list[int] | None = None, *, trigger: str = "manual") -> dict:
    """The context analysis alone (after a context import or a correction): one transaction."""
    with transaction.atomic():
        counts = context_analysis(years)
    log.info("context analysis (%s) done", trigger)
    return counts


def context_analysis_queue(years: list[int], trigger: str) -> None:
    from socialcontext.tasks import context_analysis_task

    context_analysis_task.delay(sorted(set(years)), trigger)


# --- a pair from a suggestion ---------------------------------------------------------------------


def pair_from_suggestion(*, suggestion: PartnerSuggestion, user, year: int, order):
    """Form the suggested pair through the curators' service (the door the pair form uses),
    with the suggestion's numbers written into the plan of joint work."""
    from core.templatetags.opora import num
    from curators.models import PartnerPair
    from curators.services import partner_pair_save

    plan = _(
        "Suggested from the results read against the school context (%(year)s): index gap %(index_gap)s, "
        "context gap %(context_gap)s."
    ) % {
        "year": academic_year_label(suggestion.year),
        "index_gap": _signed(num(suggestion.index_gap, 2)),
        "context_gap": _signed(num(suggestion.context_gap, 2)),
    }
    pair = PartnerPair(
        school_id=suggestion.school_id, leader_id=suggestion.partner_id, year=year, order=order, plan=plan
    )
    try:
        with transaction.atomic():
            return partner_pair_save(pair, user)
    except IntegrityError:
        raise ValidationError({"leader": [_("This pair already exists for this year.")]})


def _signed(text: str) -> str:
    return text if text.startswith(("-", "−")) else f"+{text}"
