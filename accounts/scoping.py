"""The one place that answers "which schools (and so which objects) may this user see or
change".  Pages, API endpoints, exports and reports all go through ``restrict``.

Actions:
- ``view``   — read;
- ``edit``   — change the school's own content (risk profile, roadmap, progress reports):
               the school's administrators and the coordinators above them;
- ``manage`` — coordinator-level changes (schools, statuses, lists, assignments, imports).

The regional coordinator reads every municipality of their region and changes nothing of a
municipality's own workflow (statuses, lists, approvals, reviews stay municipal): their
``edit`` and ``manage`` scope over schools and municipalities is empty.  What they change is
the region's own: regional events and the regional part of the bank (``regions_for``).

Out-of-scope objects are simply absent from the queryset, so detail views answer 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role

VIEW, EDIT, MANAGE = "view", "edit", "manage"
ACTIONS = (VIEW, EDIT, MANAGE)


def _usable(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def schools_for(user, action: str = VIEW) -> QuerySet:
    """Schools the user may see (``view``) or change (``edit``/``manage``)."""
    from schools.models import School

    assert action in ACTIONS, action
    qs = School.objects.all()
    if not _usable(user):
        return qs.none()
    if user.is_superuser:
        return qs
    role = user.role
    if role == Role.REGIONAL_COORDINATOR:
        # Reads the whole region; a municipality's own workflow stays with the municipality.
        return qs.filter(municipality__region_id=user.region_id) if action == VIEW else qs.none()
    if role == Role.MUNICIPAL_COORDINATOR:
        return qs.filter(municipality_id=user.municipality_id)
    if action == MANAGE:
        return qs.none()
    if role == Role.SCHOOL_ADMIN:
        return qs.filter(id=user.school_id)
    if action == EDIT:
        return qs.none()
    if role == Role.METHODIST:
        return qs.filter(municipality_id=user.municipality_id)
    if role == Role.CURATOR:
        return qs.filter(id__in=curated_schools(user).values("id"))
    return qs.none()


# --- Whose curator -----------------------------------------------------------------------------


def curated_schools(user, year: int | None = None) -> QuerySet:
    """The schools ``user`` is the curator of in ``year`` (default: the current academic year):
    the one answer to «whose curator» (review of roadmaps, documents and reports, visits,
    the review queue, a curator's scope)."""
    from curators.models import CuratorAssignment
    from schools.models import School

    if not _usable(user):
        return School.objects.none()
    return School.objects.filter(
        id__in=CuratorAssignment.objects.current(year).filter(curator=user).values("school_id")
    )


def is_school_curator(user, school, year: int | None = None) -> bool:
    """Whether ``user`` is the curator of ``school`` (an object or an id) this year."""
    school_id = getattr(school, "pk", school)
    return school_id is not None and curated_schools(user, year).filter(id=school_id).exists()


def may_review(user, obj) -> bool:
    """Whether ``user`` reviews (approves or returns) a school document or a roadmap: the
    school's curator of the year, or a coordinator of it."""
    school_id = getattr(obj, "school_id", None)
    return (school_id is not None and is_school_curator(user, school_id)) or can(user, MANAGE, obj)


def may_log_visit(user, school) -> bool:
    """The school's curator of the year, or a coordinator of the school."""
    return can(user, MANAGE, school) or is_school_curator(user, school)


def visit_schools(user) -> QuerySet:
    """Schools where ``user`` may log a visit: curated this year, or managed."""
    from schools.models import School

    if not _usable(user):
        return School.objects.none()
    return School.objects.filter(
        Q(id__in=schools_for(user, MANAGE).values("id")) | Q(id__in=curated_schools(user).values("id"))
    )


def municipalities_for(user, action: str = VIEW) -> QuerySet:
    """Municipalities whose own objects (orders, events, municipal roadmaps) the user may
    see or change.  Curators and school administrators see their municipality's shared
    objects (events, materials, orders) but change none."""
    from schools.models import Municipality

    assert action in ACTIONS, action
    qs = Municipality.objects.all()
    if not _usable(user):
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.REGIONAL_COORDINATOR:
        return qs.filter(region_id=user.region_id) if action == VIEW else qs.none()
    if user.role == Role.MUNICIPAL_COORDINATOR:
        return qs.filter(id=user.municipality_id)
    if action != VIEW:
        return qs.none()
    if user.role in (Role.METHODIST, Role.SCHOOL_ADMIN, Role.CURATOR):
        return qs.filter(id=user.municipality_id)
    return qs.none()


def municipalities_overseen(user) -> QuerySet:
    """Municipalities the user oversees as a whole (every school visible): the scope of
    municipality-wide analyses and reports.  A school administrator or curator sees their
    municipality's shared objects but oversees none."""
    from schools.models import Municipality

    qs = Municipality.objects.all()
    if not _usable(user):
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.REGIONAL_COORDINATOR:
        return qs.filter(region_id=user.region_id)
    if user.role in (Role.MUNICIPAL_COORDINATOR, Role.METHODIST):
        return qs.filter(id=user.municipality_id)
    return qs.none()


def regions_for(user, action: str = VIEW) -> QuerySet:
    """Regions whose own objects (regional events, the regional part of the bank) the user
    may see (``view``: everyone of the region — its schools, municipalities and regional
    coordinators) or change (``edit``/``manage``: the region's coordinators)."""
    from schools.models import Region

    assert action in ACTIONS, action
    qs = Region.objects.all()
    if not _usable(user):
        return qs.none()
    if user.is_superuser:
        return qs
    if action != VIEW:
        return qs.filter(id=user.region_id) if user.role == Role.REGIONAL_COORDINATOR else qs.none()
    # User.save() keeps the chain school → municipality → region filled in.
    return qs.filter(id=user.region_id) if user.role and user.region_id else qs.none()


def regions_overseen(user) -> QuerySet:
    """Regions the user oversees as a whole — every municipality and school visible: the
    scope of the regional dashboard, the region-wide lists and the regional report."""
    from schools.models import Region

    qs = Region.objects.all()
    if not _usable(user):
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.REGIONAL_COORDINATOR:
        return qs.filter(id=user.region_id)
    return qs.none()


def may_compare_municipalities(user) -> bool:
    """Whether the user reads the regional comparison pages (dashboard, region-wide lists,
    regional report) — whoever oversees a region; the municipality summary of the API is
    open to those who oversee a municipality (``municipalities_overseen``)."""
    return regions_overseen(user).exists()


def restrict(qs: QuerySet, user, action: str = VIEW) -> QuerySet:
    """Filter any scoped queryset by the model's declared scope fields.

    A model with several fields (e.g. an event hosted by a school of a municipality, or a
    regional event) is visible through any of them.  ``scope_region_field`` names a region
    whose everyone sees the object (``regions_for``): a row that leaves it empty (a
    municipal event) is not widened by it."""
    model = qs.model
    school_field = getattr(model, "scope_school_field", None)
    muni_field = getattr(model, "scope_municipality_field", None)
    region_field = getattr(model, "scope_region_field", None)
    if not school_field and not muni_field and not region_field:
        raise TypeError(f"{model.__name__} declares no scope field")
    condition = Q()
    if school_field:
        lookup = "id__in" if school_field == "id" else f"{school_field}__in"
        condition |= Q(**{lookup: schools_for(user, action).values("id")})
    if muni_field:
        lookup = "id__in" if muni_field == "id" else f"{muni_field}__in"
        condition |= Q(**{lookup: municipalities_for(user, action).values("id")})
    if region_field:
        lookup = "id__in" if region_field == "id" else f"{region_field}__in"
        condition |= Q(**{lookup: regions_for(user, action).values("id")})
    return qs.filter(condition)


def is_scoped(model) -> bool:
    """Whether ``model`` declares where its scope lives (so ``restrict`` applies to it)."""
    return any(getattr(model, f"scope_{level}_field", None) for level in ("school", "municipality", "region"))


def can(user, action: str, obj) -> bool:
    """Whether ``user`` may perform ``action`` on the scoped object ``obj``."""
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


# --- Frozen records: what others reviewed or signed ------------------------------------------
# A model whose workflow freezes its rows answers ``frozen_reason()`` (why it may not be changed
# now, or None) and, if deleting asks more, ``delete_refusal()``.  Pages and API ask these
# predicates — at every door the same answer.


def frozen_reason(obj) -> str | None:
    """Why nobody may change ``obj`` now (its workflow froze it), or None."""
    method = getattr(obj, "frozen_reason", None)
    return method() if callable(method) else None


def delete_refusal(obj) -> str | None:
    """Why nobody may delete ``obj`` now, or None (a frozen record is never hard-deleted)."""
    method = getattr(obj, "delete_refusal", None)
    return method() if callable(method) else frozen_reason(obj)


def may_change(user, obj, action: str = EDIT) -> bool:
    """Whether the edit form / PATCH of ``obj`` is open to ``user``: scope and workflow."""
    return can(user, action, obj) and frozen_reason(obj) is None


def may_delete(user, obj, action: str = EDIT) -> bool:
    return can(user, action, obj) and delete_refusal(obj) is None


def require_change(user, obj, action: str = EDIT) -> None:
    """Raise PermissionDenied (out of the write scope) or core.errors.Frozen (frozen)."""
    from django.core.exceptions import PermissionDenied

    from core.errors import Frozen

    if not can(user, action, obj):
        raise PermissionDenied
    if reason := frozen_reason(obj):
        raise Frozen(reason)


def require_delete(user, obj, action: str = EDIT) -> None:
    from django.core.exceptions import PermissionDenied

    from core.errors import Frozen

    if not can(user, action, obj):
        raise PermissionDenied
    if reason := delete_refusal(obj):
        raise Frozen(reason)


# --- Link visibility (issue 15.2: no dead ends) -------------------------------------------
# A page shows a link only to a reader who may open it.  The predicates below are what the
# templates ask (core/templatetags/policy.py); each answers as the view behind the link does.


def visible_school_ids(user) -> frozenset[int]:
    """Ids of the schools ``user`` may view — read once per request (kept on the user object,
    which the authentication middleware builds afresh for every request)."""
    memo = getattr(user, "_opora_visible_school_ids", None)
    if memo is None:
        memo = frozenset(schools_for(user, VIEW).values_list("id", flat=True))
        if _usable(user):
            user._opora_visible_school_ids = memo
    return memo


def may_view_school(user, school) -> bool:
    """Whether the school's card (and its results page) opens for ``user``."""
    school_id = getattr(school, "pk", school)
    return school_id is not None and school_id in visible_school_ids(user)


def may_view_partner_pair(user, pair) -> bool:
    """A partner pair is seen through its supported school (``PartnerPair.scope_school_field``)."""
    return may_view_school(user, pair.school_id)


def may_see_status_movement(user) -> bool:
    """The entries and exits by year name every school of a municipality: for those who
    oversee one (schools.programme_views.StatusMovementView)."""
    return municipalities_overseen(user).exists()


def may_manage_assignments(user) -> bool:
    """The school → curators grid and appointments: coordinators of a municipality or region
    (curators.views.AssignmentGridView)."""
    return municipalities_for(user, MANAGE).exists()


def may_edit_info_note(user, municipality) -> bool:
    """The text of a municipality's information note is the municipality's own: those who
    manage it edit and keep it (reports.views.info_note_edit); whoever oversees it may issue
    the note from the generated text."""
    return municipalities_for(user, MANAGE).filter(pk=municipality.pk).exists()


# --- Choices of people and of an event's level (what forms offer; core.forms) ---------------
# Users have no scope fields of their own: who may be chosen is named here, and the forms
# name these functions in their ``scope_fields``.


def appointable_curators(user) -> QuerySet:
    """People ``user`` may appoint as curators: those of the municipalities whose schools the
    user manages (the form keeps only the roles a curator may have)."""
    from accounts.models import User

    if not _usable(user):
        return User.objects.none()
    return User.objects.filter(municipality_id__in=schools_for(user, MANAGE).values("municipality_id"))


def visit_people(user) -> QuerySet:
    """People of the schools where ``user`` may log a visit: the owners a recommendation may name."""
    from accounts.models import User

    return User.objects.filter(school__in=visit_schools(user).values("id"))


def event_level_schools(user) -> QuerySet:
    """Schools of the municipalities and regions where ``user`` places events and bank
    materials (``events.services.level_choices``): hosts, organisers, authors."""
    from events.services import level_choices, schools_of_levels

    return schools_of_levels(*level_choices(user))


def event_level_people(user) -> QuerySet:
    """People of those municipalities and regions: an event's organisers."""
    from accounts.models import User
    from events.services import level_choices

    municipalities, regions = level_choices(user)
    return User.objects.filter(
        Q(municipality__in=municipalities) | Q(school__municipality__in=municipalities) | Q(region__in=regions)
    )


def event_level_events(user) -> QuerySet:
    """Events placed in those municipalities and regions: where a bank material was presented."""
    from events.models import Event
    from events.services import level_choices

    municipalities, regions = level_choices(user)
    return Event.objects.filter(Q(municipality__in=municipalities) | Q(region__in=regions))


def event_level_municipalities(user) -> QuerySet:
    from events.services import level_choices

    return level_choices(user)[0]


def event_level_regions(user) -> QuerySet:
    from events.services import level_choices

    return level_choices(user)[1]
