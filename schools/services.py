"""Writes of the programme side of the schools app: yearly status lists, single statuses,
programme participants and risk profiles.  Every function validates fully before it saves
and runs in one transaction, so bad input leaves existing data untouched."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.scoping import EDIT, MANAGE, can
from core.errors import Forbidden
from core.years import academic_year_label, current_academic_year
from schools.models import (
    Municipality,
    Order,
    Programme,
    ProgrammeParticipant,
    RiskAssessment,
    RiskFactor,
    RiskLevel,
    School,
    SchoolStatus,
    StatusKind,
)
from schools.selectors import status_held_in

FIRST_YEAR = 2000


def _permission_error() -> ValidationError:
    return Forbidden()


def validate_year(year: int | None, field: str = "year") -> int:
    """An academic year between 2000 and next year."""
    latest = current_academic_year() + 1
    if year is None or not FIRST_YEAR <= int(year) <= latest:
        raise ValidationError(
            {
                field: _("The academic year must be between %(first)s and %(last)s.")
                % {"first": academic_year_label(FIRST_YEAR), "last": academic_year_label(latest)}
            },
            code="year_range",
        )
    return int(year)


def status_overlaps(school: School, kind: str, year_from: int, year_to: int | None, exclude_pk=None):
    """Statuses of one kind of the school whose years intersect [year_from, year_to]."""
    qs = SchoolStatus.objects.filter(school=school, kind=kind)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    qs = qs.filter(Q(year_to__isnull=True) | Q(year_to__gte=year_from))
    if year_to is not None:
        qs = qs.filter(year_from__lte=year_to)
    return qs


def status_validate(
    *, school: School, kind: str, year_from: int, year_to: int | None, order: Order | None, exclude_pk=None
) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in StatusKind.values:
        errors.setdefault("kind", []).append(_("Unknown status."))
    if order is None:
        errors.setdefault("order", []).append(_("A status must rest on an order: choose the order."))
    try:
        validate_year(year_from, "year_from")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if year_to is not None:
        try:
            validate_year(year_to, "year_to")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if year_from and year_to < year_from:
            errors.setdefault("year_to", []).append(_("The last year is before the first year."))
    if not errors and status_overlaps(school, kind, year_from, year_to, exclude_pk).exists():
        other = status_overlaps(school, kind, year_from, year_to, exclude_pk).first()
        errors.setdefault("year_from", []).append(
            _("%(school)s already has this status in these years (%(other)s).") % {"school": school, "other": other}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def status_create(
    *, user, school: School, kind: str, year_from: int, year_to: int | None, order: Order | None, note: str = ""
) -> SchoolStatus:
    if not can(user, MANAGE, school):
        raise _permission_error()
    status_validate(school=school, kind=kind, year_from=year_from, year_to=year_to, order=order)
    return SchoolStatus.objects.create(
        school=school, kind=kind, year_from=year_from, year_to=year_to, order=order, note=note
    )


@transaction.atomic
def status_update(*, user, status: SchoolStatus, **changes) -> SchoolStatus:
    if not can(user, MANAGE, status.school):
        raise _permission_error()
    for name, value in changes.items():
        setattr(status, name, value)
    status_validate(
        school=status.school,
        kind=status.kind,
        year_from=status.year_from,
        year_to=status.year_to,
        order=status.order,
        exclude_pk=status.pk,
    )
    status.save()
    return status


def holders(municipality: Municipality, kind: str, year: int):
    """Statuses of ``kind`` in force in ``year`` in the municipality."""
    return SchoolStatus.objects.filter(school__municipality=municipality, kind=kind).filter(status_held_in(year))


@transaction.atomic
def status_list_set(
    municipality: Municipality, kind: str, year: int, schools: Iterable[School], order: Order | None, user
) -> dict[str, list[School]]:
    """Set the list of schools holding ``kind`` in ``year`` per ``order`` in one step.

    Schools new to the list get a status from ``year``; schools that held it and are not in
    the list leave it: ``year_to = year - 1`` and ``end_order = order`` (a status that began
    in ``year`` itself is withdrawn).  Returns the schools that entered, stayed and left."""
    if not can(user, MANAGE, municipality):
        raise _permission_error()
    schools = list(schools)
    errors: dict[str, list[str]] = {}
    if kind not in StatusKind.values:
        errors["kind"] = [_("Unknown status.")]
    if order is None:
        errors["order"] = [_("A list of schools must rest on an order: choose the order.")]
    elif order.municipality_id not in (None, municipality.pk) or order.region_id != municipality.region_id:
        errors["order"] = [_("The order belongs to another municipality.")]
    try:
        validate_year(year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    foreign = [s for s in schools if s.municipality_id != municipality.pk]
    if foreign:
        errors["schools"] = [
            _("Not schools of this municipality: %(names)s.") % {"names": ", ".join(str(s) for s in foreign)}
        ]
    if errors:
        raise ValidationError(errors)
    wanted = {s.pk: s for s in schools}
    current = {st.school_id: st for st in holders(municipality, kind, year).select_related("school")}
    # A school in the list whose later status would overlap a new one is refused.
    for school in wanted.values():
        if school.pk in current:
            continue
        later = SchoolStatus.objects.filter(school=school, kind=kind, year_from__gt=year).first()
        if later:
            raise ValidationError(
                {
                    "schools": [
                        _("%(school)s already has this status in these years (%(other)s).")
                        % {"school": school, "other": later}
                    ]
                }
            )
    entered, stayed, left = [], [], []
    for school in wanted.values():
        if school.pk in current:
            stayed.append(school)
            if current[school.pk].order_id != order.pk:
                current[school.pk].confirmed_by.add(order)  # the new list's order grounds it too
        else:
            SchoolStatus.objects.create(school=school, kind=kind, year_from=year, order=order)
            entered.append(school)
    for school_id, st in current.items():
        if school_id in wanted:
            continue
        left.append(st.school)
        if st.year_from >= year:
            st.delete()
        else:
            st.year_to = year - 1
            st.end_order = order
            st.save(update_fields=["year_to", "end_order"])
    return {"entered": entered, "stayed": stayed, "left": left}


@transaction.atomic
def programme_participants_set(programme: Programme, schools: Iterable[School], user) -> None:
    if not can(user, MANAGE, programme):
        raise _permission_error()
    schools = list(schools)
    foreign = [s for s in schools if s.municipality_id != programme.municipality_id]
    if foreign:
        raise ValidationError(
            {"schools": [_("Not schools of this municipality: %(names)s.") % {"names": ", ".join(map(str, foreign))}]}
        )
    ids = {s.pk for s in schools}
    programme.participants.exclude(school_id__in=ids).delete()
    existing = set(programme.participants.values_list("school_id", flat=True))
    for school in schools:
        if school.pk not in existing:
            ProgrammeParticipant.objects.create(programme=programme, school=school)


@transaction.atomic
def risk_profile_save(*, school: School, year: int, levels: dict, user, comments: dict | None = None) -> int:
    """Save a school's level per active factor for a year; returns how many changed.
    A changed level drops the curator's confirmation of that factor."""
    if not can(user, EDIT, school):
        raise _permission_error()
    validate_year(year)
    comments = comments or {}
    factors = {f.pk: f for f in RiskFactor.objects.filter(is_active=True)}
    errors = {}
    for factor_id, level in levels.items():
        if int(factor_id) not in factors:
            errors[f"factor_{factor_id}"] = [_("Unknown risk factor.")]
        elif level not in RiskLevel.values:
            errors[f"factor_{factor_id}"] = [
                _("«%(value)s» is not a risk level: choose high, medium, low or none.") % {"value": level}
            ]
    if errors:
        raise ValidationError(errors)
    existing = {a.factor_id: a for a in RiskAssessment.objects.filter(school=school, year=year)}
    changed = 0
    for factor_id, level in levels.items():
        factor_id = int(factor_id)
        comment = comments.get(factor_id, "")
        current = existing.get(factor_id)
        if current is None:
            RiskAssessment.objects.create(
                school=school, year=year, factor_id=factor_id, level=level, comment=comment, filled_by=user
            )
            changed += 1
        elif current.level != level or current.comment != comment:
            current.level, current.comment, current.filled_by = level, comment, user
            current.confirmed_by, current.confirmed_at = None, None
            current.save()
            changed += 1
    return changed


@transaction.atomic
def risk_profile_confirm(*, school: School, year: int, user) -> int:
    """The school's curator (or a coordinator) confirms the profile of the year."""
    if not scoping.may_confirm_risks(user, school, year):
        raise Forbidden(_("Only the curator of this school may confirm its risk profile."))
    pending = list(RiskAssessment.objects.filter(school=school, year=year, confirmed_at__isnull=True))
    if not RiskAssessment.objects.filter(school=school, year=year).exists():
        raise ValidationError(_("The school has not filled in its risk profile for this year."))
    now = timezone.now()
    for a in pending:
        a.confirmed_by, a.confirmed_at = user, now
        a.save(update_fields=["confirmed_by", "confirmed_at"])
    return len(pending)
