"""Writes of the curators app: assignments, partner pairs, visits and recommendations.
Role rules beyond scope (only the school's curator logs a visit, only the school marks a
recommendation done, only the curator closes it) are enforced here and answered by the
policy module (accounts.scoping)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.scoping import MANAGE, can
from core.errors import Forbidden
from core.years import academic_year_bounds, academic_year_label
from curators.models import (
    CuratorAssignment,
    LessonObservation,
    PartnerPair,
    Recommendation,
    RecommendationStatus,
    Visit,
)
from schools.services import validate_year


def _forbidden(message: str | None = None) -> ValidationError:
    return Forbidden(message)


def assignment_validate(assignment: CuratorAssignment) -> None:
    errors: dict[str, list[str]] = {}
    try:
        validate_year(assignment.year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if assignment.curator_id and assignment.school_id and assignment.curator.school_id == assignment.school_id:
        errors.setdefault("curator", []).append(_("A curator cannot supervise their own school."))
    if assignment.curator_id and not scoping.may_be_curator(assignment.curator):
        errors.setdefault("curator", []).append(_("This person is not a curator."))
    if assignment.year and not errors.get("year"):
        first, last = academic_year_bounds(assignment.year)
        for name in ("date_from", "date_to"):
            value = getattr(assignment, name)
            if value and not first <= value <= last:
                errors.setdefault(name, []).append(
                    _("The date must fall within the academic year %(year)s (%(first)s – %(last)s).")
                    % {
                        "year": academic_year_label(assignment.year),
                        "first": first.strftime("%d.%m.%Y"),
                        "last": last.strftime("%d.%m.%Y"),
                    }
                )
    if not assignment.order_id:
        errors.setdefault("order", []).append(_("An appointment must rest on an order: choose the order."))
    if assignment.date_from and assignment.date_to and assignment.date_to < assignment.date_from:
        errors.setdefault("date_to", []).append(_("The end date is before the start date."))
    duplicate = CuratorAssignment.objects.filter(
        curator_id=assignment.curator_id, school_id=assignment.school_id, year=assignment.year, role=assignment.role
    ).exclude(pk=assignment.pk)
    if duplicate.exists():
        errors.setdefault("curator", []).append(_("This curator is already assigned to this school for this year."))
    if errors:
        raise ValidationError(errors)


def _fill_from_profile(assignment: CuratorAssignment) -> None:
    """The curator's place of work and position as the order names them: from the profile
    where the coordinator left them empty."""
    curator = assignment.curator
    if not assignment.workplace.strip() and curator.school_id:
        assignment.workplace = curator.school.short_name
    if not assignment.position.strip():
        assignment.position = curator.position


@transaction.atomic
def assignment_save(assignment: CuratorAssignment, user) -> CuratorAssignment:
    if not can(user, MANAGE, assignment.school):
        raise _forbidden()
    assignment_validate(assignment)
    _fill_from_profile(assignment)
    assignment.save()
    return assignment


@transaction.atomic
def assignment_end(assignment: CuratorAssignment, user) -> CuratorAssignment:
    if not can(user, MANAGE, assignment.school):
        raise _forbidden()
    assignment.is_active = False
    assignment.save(update_fields=["is_active"])
    return assignment


@transaction.atomic
def partner_pair_save(pair: PartnerPair, user) -> PartnerPair:
    if not can(user, MANAGE, pair.school) or not can(user, MANAGE, pair.leader):
        raise _forbidden()
    errors: dict[str, list[str]] = {}
    try:
        validate_year(pair.year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if pair.school_id == pair.leader_id:
        errors["leader"] = [_("A school cannot be its own partner.")]
    if not pair.order_id:
        errors["order"] = [_("A partner pair must rest on an order: choose the order.")]
    if errors:
        raise ValidationError(errors)
    pair.save()
    return pair


def last_open_recommendations(school, before: Visit | None = None):
    """Open or done-but-not-closed recommendations of the school's last visit."""
    visits = Visit.objects.filter(school=school)
    if before is not None and before.pk:
        visits = visits.exclude(pk=before.pk)
    last = visits.order_by("-date", "-id").first()
    if last is None:
        return Recommendation.objects.none()
    return last.recommendations.exclude(status=RecommendationStatus.CLOSED)


def visit_validate(visit: Visit) -> None:
    errors: dict[str, list[str]] = {}
    if visit.date and visit.date > timezone.localdate():
        errors["date"] = [_("A visit cannot be dated in the future.")]
    if visit.date and visit.date.year < 2000:
        errors["date"] = [_("The date is too far in the past.")]
    if errors:
        raise ValidationError(errors)


def lesson_validate(lesson: LessonObservation) -> None:
    errors = {}
    for name in ("rating_goals", "rating_methods", "rating_assessment"):
        value = getattr(lesson, name)
        if value is not None and not 1 <= value <= 3:
            errors[name] = [_("A rating is 1, 2 or 3.")]
    if lesson.grade is not None and not 1 <= lesson.grade <= 11:
        errors["grade"] = [_("The grade is from 1 to 11.")]
    if errors:
        raise ValidationError(errors)


def recommendation_validate(rec: Recommendation, visit: Visit) -> None:
    errors = {}
    if not (rec.text or "").strip():
        errors["text"] = [_("Write the recommendation.")]
    if not rec.owner_text and not rec.owner_user_id:
        errors["owner_text"] = [_("Name the owner of the recommendation.")]
    if rec.due_date and visit.date and rec.due_date < visit.date:
        errors["due_date"] = [_("The due date is before the visit.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def visit_create(
    *,
    user,
    visit: Visit,
    lessons: list[LessonObservation] = (),
    recommendations: list[Recommendation] = (),
    close_ids: list[int] = (),
) -> Visit:
    """Log a visit with its lessons and recommendations; close the previous visit's
    recommendations the curator ticked.  All or nothing."""
    if not scoping.may_log_visit(user, visit.school):
        raise _forbidden(_("Only the curator of this school may log a visit."))
    if not visit.curator_id:
        visit.curator = user
    visit_validate(visit)
    previous = list(last_open_recommendations(visit.school).filter(pk__in=close_ids))
    visit.save()
    for lesson in lessons:
        lesson.visit = visit
        lesson_validate(lesson)
        lesson.save()
    for rec in recommendations:
        rec.visit = visit
        recommendation_validate(rec, visit)
        rec.save()
    for rec in previous:
        _close(rec, user)
    return visit


@transaction.atomic
def visit_update(*, user, visit: Visit) -> Visit:
    if not scoping.may_edit_visit(user, visit):
        raise _forbidden()
    if visit.confirmed_at:
        raise ValidationError(_("The school has confirmed this visit record; it can no longer be changed."))
    visit_validate(visit)
    visit.save()
    return visit


@transaction.atomic
def visit_confirm(*, user, visit: Visit) -> Visit:
    """The school head confirms the visit record."""
    if not scoping.may_confirm_visit(user, visit):
        raise _forbidden(_("Only the school's administration may confirm the visit record."))
    if visit.confirmed_at:
        raise ValidationError(_("The visit record is already confirmed."))
    visit.confirmed_by, visit.confirmed_at = user, timezone.now()
    visit.save(update_fields=["confirmed_by", "confirmed_at"])
    return visit


@transaction.atomic
def recommendation_mark_done(*, user, rec: Recommendation, comment: str) -> Recommendation:
    if not scoping.may_update_recommendation(user, rec):
        raise _forbidden(_("Only the school may mark a recommendation done."))
    if rec.status != RecommendationStatus.OPEN:
        raise ValidationError(_("Only an open recommendation can be marked done."))
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("Say what has been done.")]})
    rec.status, rec.done_comment, rec.done_at = RecommendationStatus.DONE, comment.strip(), timezone.now()
    rec.save()
    return rec


def _close(rec: Recommendation, user) -> None:
    rec.status, rec.closed_by, rec.closed_at = RecommendationStatus.CLOSED, user, timezone.now()
    rec.save()


@transaction.atomic
def recommendation_close(*, user, rec: Recommendation) -> Recommendation:
    if not scoping.may_close_recommendation(user, rec):
        raise _forbidden(_("Only the curator may close a recommendation."))
    if rec.status == RecommendationStatus.CLOSED:
        raise ValidationError(_("The recommendation is already closed."))
    _close(rec, user)
    return rec


@transaction.atomic
def recommendation_reopen(*, user, rec: Recommendation) -> Recommendation:
    """The curator returns a recommendation the school marked done."""
    if not scoping.may_close_recommendation(user, rec):
        raise _forbidden(_("Only the curator may return a recommendation."))
    rec.status, rec.closed_by, rec.closed_at = RecommendationStatus.OPEN, None, None
    rec.save()
    return rec


# --- A new year's curators from last year's ---------------------------------------------


def assignments_copy_preview(municipality, year: int) -> list[dict]:
    """Last year's assignments in force in the municipality, each with what copying it to
    ``year`` would do: ``copyable`` (and ``proposed``: ticked by default — the school is a
    ШНОР in ``year``) or the reason it is not (already appointed, the curator no longer
    active, the curator now works at that school)."""
    from schools.selectors import low_results_schools

    previous = (
        CuratorAssignment.objects.filter(school__municipality=municipality, year=year - 1, is_active=True)
        .select_related("curator__school", "school", "order")
        .order_by("school__sort_name", "curator__last_name")
    )
    existing = set(
        CuratorAssignment.objects.filter(school__municipality=municipality, year=year).values_list(
            "curator_id", "school_id", "role"
        )
    )
    low = set(low_results_schools(municipality.schools.all(), year).values_list("id", flat=True))
    rows = []
    for a in previous:
        reason = ""
        if (a.curator_id, a.school_id, a.role) in existing:
            reason = _("already appointed for %(year)s") % {"year": academic_year_label(year)}
        elif not a.curator.is_active:
            reason = _("the curator's account is switched off")
        elif a.curator.school_id == a.school_id:
            reason = _("the curator now works at this school")
        rows.append(
            {
                "assignment": a,
                "is_low": a.school_id in low,
                "copyable": not reason,
                "proposed": not reason and a.school_id in low,
                "reason": reason,
            }
        )
    return rows


@transaction.atomic
def assignments_copy(*, user, municipality, year: int, assignment_ids, order) -> list[CuratorAssignment]:
    """Appoint for ``year`` the curators of the chosen last-year assignments, resting on
    ``order``: the same curator, school, role, place of work and position.  All or nothing."""
    if not can(user, MANAGE, municipality):
        raise _forbidden()
    errors: dict[str, list[str]] = {}
    try:
        validate_year(year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if order is None:
        errors["order"] = [_("An appointment must rest on an order: choose the order.")]
    elif order.municipality_id not in (None, municipality.pk) or order.region_id != municipality.region_id:
        errors["order"] = [_("The order belongs to another municipality.")]
    rows = {r["assignment"].pk: r for r in assignments_copy_preview(municipality, year)}
    chosen = [rows[pk] for pk in assignment_ids if pk in rows]
    if not chosen:
        errors.setdefault("assignments", []).append(_("Choose at least one assignment to copy."))
    refused = [r for r in chosen if not r["copyable"]]
    if refused:
        errors.setdefault("assignments", []).extend(
            f"{r['assignment'].curator.short_name} → {r['assignment'].school}: {r['reason']}" for r in refused
        )
    if errors:
        raise ValidationError(errors)
    created = []
    for row in chosen:
        old = row["assignment"]
        new = CuratorAssignment(
            curator=old.curator,
            school=old.school,
            year=year,
            role=old.role,
            order=order,
            workplace=old.workplace,
            position=old.position,
        )
        created.append(assignment_save(new, user))
    return created
