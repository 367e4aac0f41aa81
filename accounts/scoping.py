"""The policy module: the one place that answers every "who may" — which schools (and so
which objects) a user may see or change, and the role rules beyond scope (who fills, reviews
and approves a roadmap or a report, who edits or confirms a visit, who runs an event, who
registers, who imports…).  Pages, API endpoints, exports and reports all go through
``restrict``; services enforce by asking the named predicates, and views, serializers and
templates ask the same ones.  core reaches this module only through ``core.policy``
(``settings.OPORA_POLICY``).

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


def has_school_scope(user, action: str = VIEW) -> bool:
    """Whether ``user`` may ``action`` at least one school (a list's «add» button, a create
    form's door): its query compiled once per scope and action (core/compiled.py)."""
    from core.compiled import prepared_exists

    return prepared_exists(("scoping.has_schools", scope_key(user), action), lambda: schools_for(user, action))


def works_in_one_municipality(user) -> bool:
    """Whether ``user``'s work lies within one municipality: a list drops its municipality
    column and filter for them."""
    return getattr(user, "role", "") in (Role.MUNICIPAL_COORDINATOR, Role.METHODIST, Role.SCHOOL_ADMIN)


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
    """The rows of ``qs`` that ``user`` may ``action``: the model's own rule where it has one
    (``RULES``), else its declared scope fields (``restrict_by_fields``).  Every scoped
    queryset's ``.restrict()`` (core.models.ScopedQuerySet) comes here."""
    rule = RULES.get(qs.model._meta.label_lower)
    return rule(qs, user, action) if rule else restrict_by_fields(qs, user, action)


def restrict_by_fields(qs: QuerySet, user, action: str = VIEW) -> QuerySet:
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


# --- Models whose rows follow a rule of their own --------------------------------------------


def _import_rule(qs: QuerySet, user, action: str) -> QuerySet:
    """Import batches (and their errors, which name other schools) are coordinator-level:
    visible to those who may manage the batch's municipality, and always to the uploader."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return qs.all()
    scoped = restrict_by_fields(qs, user, MANAGE)
    if action == VIEW and user and user.is_authenticated:
        return qs.filter(Q(pk__in=scoped.values("pk")) | Q(uploaded_by=user))
    return scoped


def _catalogue_rule(qs: QuerySet, user, action: str) -> QuerySet:
    """Skills and task plans are the works' public facts: everyone signed in with a role
    reads them; they are changed only through the plan import."""
    if not _usable(user):
        return qs.none()
    if user.is_superuser:
        return qs.all()
    if action == VIEW and schools_for(user, VIEW).exists():
        return qs.all()
    return qs.none()


def _bank_rule(qs: QuerySet, user, action: str) -> QuerySet:
    """The bank of practices is open to every signed-in user of the region; changing a
    material needs the usual scope of its municipality or authors' school."""
    if action != VIEW:
        return restrict_by_fields(qs, user, action)
    if not _usable(user):
        return qs.none()
    if user.is_superuser:
        return qs
    regions = set(municipalities_for(user).values_list("region_id", flat=True))
    regions |= set(schools_for(user).values_list("municipality__region_id", flat=True))
    if user.region_id:
        regions.add(user.region_id)
    if user.school_id:
        regions.add(user.school.municipality.region_id)
    return qs.filter(Q(municipality__region_id__in=regions) | Q(region_id__in=regions))


def _generated_report_rule(qs: QuerySet, user, action: str) -> QuerySet:
    """A generated document is its requester's, and only while its subject (a school, or a
    municipality overseen as a whole) is still in their scope."""
    if not (user and user.is_authenticated):
        return qs.none()
    in_scope = Q(school__in=schools_for(user).values("id")) | Q(
        school__isnull=True, municipality__in=municipalities_overseen(user).values("id")
    )
    return qs.filter(in_scope, requested_by=user)


def _partner_suggestion_rule(qs: QuerySet, user, action: str) -> QuerySet:
    """Visible to whom both schools are: the index gap tells the partner's index, which a
    school administrator or a curator of the supported school alone may not see."""
    return restrict_by_fields(qs, user, action).filter(partner__in=schools_for(user, action).values("id"))


# Model label → its rule (``restrict`` asks here first).
RULES = {
    "assessment.importbatch": _import_rule,
    "skills.planimport": _import_rule,
    "socialcontext.contextimport": _import_rule,
    "skills.skill": _catalogue_rule,
    "skills.taskplan": _catalogue_rule,
    "events.material": _bank_rule,
    "reports.generatedreport": _generated_report_rule,
    "socialcontext.partnersuggestion": _partner_suggestion_rule,
}


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


def may_download_file(user, name: str) -> bool:
    """A stored file (evidence, documents, import files) downloads for whoever may view an
    object that owns it (core.views.protected_file)."""
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        file_fields = [f.name for f in model._meta.get_fields() if isinstance(f, models.FileField)]
        if not file_fields or not hasattr(model.objects, "restrict"):
            continue
        for field in file_fields:
            if model.objects.restrict(user, VIEW).filter(**{field: name}).exists():
                return True
    return False


def may_oversee_municipalities(user) -> bool:
    """Whether the user oversees at least one municipality as a whole: the municipality-wide
    analyses (regional.views' comparison pages, the context panel)."""
    from core.compiled import prepared_exists

    return prepared_exists(("scoping.oversees", scope_key(user)), lambda: municipalities_overseen(user))


def may_see_menu_item(user, roles) -> bool:
    """A menu entry naming ``roles`` shows to those roles (and superusers); one naming none
    shows to everyone signed in (core.navigation; the page behind it says the rest)."""
    return _usable(user) and (not roles or user.is_superuser or user.role in roles)


def menu_key(user) -> tuple:
    """All that ``may_see_menu_item`` reads of ``user``: core.navigation keeps the menu it
    built once per process under this key (check mode rebuilds and compares)."""
    return (_usable(user), bool(user and user.is_superuser), getattr(user, "role", None))


def may_see_status_movement(user) -> bool:
    """The entries and exits by year name every school of a municipality: for those who
    oversee one (schools.programme_views.StatusMovementView)."""
    return may_oversee_municipalities(user)


def may_set_status_lists(user) -> bool:
    """A municipality's yearly lists and statuses (set in one step, or edited row by row) are
    its coordinators' (schools.programme_views)."""
    return municipalities_for(user, MANAGE).exists()


def may_manage_assignments(user) -> bool:
    """The school → curators grid and appointments: coordinators of a municipality or region
    (curators.views.AssignmentGridView)."""
    return municipalities_for(user, MANAGE).exists()


def may_edit_info_note(user, municipality) -> bool:
    """The text of a municipality's information note is the municipality's own: those who
    manage it edit and keep it (reports.views.info_note_edit); whoever oversees it may issue
    the note from the generated text."""
    return municipalities_for(user, MANAGE).filter(pk=getattr(municipality, "pk", municipality)).exists()


def may_register_order(user, municipality) -> bool:
    """An order of a municipality (and the draft that becomes one) is registered by those who
    manage the municipality (schools.views order create)."""
    return municipalities_for(user, MANAGE).filter(pk=getattr(municipality, "pk", municipality)).exists()


# --- Roadmaps, documents and progress reports ---------------------------------------------
# The workflow's state (draft, submitted…) is the object's own; these answer who.


def may_fill_roadmap(user, roadmap) -> bool:
    """School content is filled by the school's administrator; a municipal roadmap by its
    coordinator (both are the ``edit`` scope; curators never have it)."""
    return can(user, EDIT, roadmap)


def may_fill_report(user, report) -> bool:
    """The school's part of a progress report: whoever fills the roadmap, never a curator."""
    return getattr(user, "role", None) != Role.CURATOR and may_fill_roadmap(user, report.roadmap)


def may_review_report(user, report) -> bool:
    """The curator's review of a school's progress report (comment, accept, return): the
    school's curator of the year."""
    school_id = report.roadmap.school_id
    return bool(school_id) and is_school_curator(user, school_id)


def may_approve_report(user, report) -> bool:
    """The coordinator's decision on a report (approve, return an accepted one)."""
    return can(user, MANAGE, report)


# --- Curators: visits, recommendations, risk profiles ---------------------------------------


def may_be_curator(person) -> bool:
    """Whether ``person`` may be appointed a school's curator: a curator, or a coordinator."""
    return person.role == Role.CURATOR or person.is_coordinator


def may_edit_visit(user, visit) -> bool:
    """A visit record is changed by the curator who wrote it or a coordinator of the school
    (until the school confirms it: ``Visit.confirmed_at``)."""
    return bool(_usable(user)) and (visit.curator_id == user.pk or can(user, MANAGE, visit.school))


def may_confirm_visit(user, visit) -> bool:
    """The visited school's administration confirms the visit record."""
    return _usable(user) and user.role == Role.SCHOOL_ADMIN and user.school_id == visit.school_id


def may_update_recommendation(user, rec) -> bool:
    """The school (its administrators, or the coordinators above them) marks a
    recommendation done."""
    return can(user, EDIT, rec.visit.school)


def may_close_recommendation(user, rec) -> bool:
    """The curator who gave it — or whoever may log a visit at the school — closes or
    returns a recommendation."""
    return _usable(user) and (rec.visit.curator_id == user.pk or may_log_visit(user, rec.visit.school))


def may_confirm_risks(user, school, year: int) -> bool:
    """The school's risk profile of ``year`` is confirmed by its curator of that year or a
    coordinator of the school."""
    return can(user, MANAGE, school) or is_school_curator(user, school, year)


def may_form_pairs(user) -> bool:
    """Partner pairs (and a pair from a suggestion) are formed by those who manage schools."""
    return has_school_scope(user, MANAGE)


# --- Events, registrations, feedback, the bank -----------------------------------------------


def event_municipalities_managed(user) -> QuerySet:
    """Municipalities whose events the user plans and runs: coordinators (manage scope) and
    the methodists of the municipality."""
    qs = municipalities_for(user, MANAGE)
    if _usable(user) and user.role == Role.METHODIST and user.municipality_id:
        qs = qs | municipalities_for(user, VIEW).filter(id=user.municipality_id)
    return qs.distinct()


def event_regions_managed(user) -> QuerySet:
    """Regions whose regional events and bank materials the user plans and edits: the
    region's coordinators (``regions_for``)."""
    return regions_for(user, MANAGE)


def may_plan_events(user) -> bool:
    """Whether the user plans events and publishes to the bank somewhere (a municipality or a region)."""
    return event_municipalities_managed(user).exists() or event_regions_managed(user).exists()


def level_choices(user) -> tuple[QuerySet, QuerySet]:
    """The municipalities and the regions where the user may place an event or a bank material."""
    return event_municipalities_managed(user), event_regions_managed(user)


def may_manage_level(user, obj) -> bool:
    """Whether the user runs an event or edits a bank material (or may create one so placed):
    a municipal one — the municipality's coordinators and methodists; a regional one — the
    region's coordinators."""
    if not _usable(user):
        return False
    if user.is_superuser:
        return True
    if obj.region_id:
        return event_regions_managed(user).filter(id=obj.region_id).exists()
    if not obj.municipality_id:
        return False
    if user.role == Role.METHODIST:
        return user.municipality_id == obj.municipality_id
    return municipalities_for(user, MANAGE).filter(id=obj.municipality_id).exists()


def may_manage_event(user, event) -> bool:
    return may_manage_level(user, event)


def registration_schools_for(user, event) -> QuerySet:
    """Schools whose people the user may register for the event: the event's managers —
    anyone in their scope; a school administrator (or a coordinator) — the schools they edit."""
    if may_manage_event(user, event):
        return schools_for(user, VIEW)
    return schools_for(user, EDIT)


def may_register_for(user, school, event=None) -> bool:
    """Whether the user may register people of ``school`` (for ``event``, or for events at all)."""
    school_id = getattr(school, "pk", school)
    schools = registration_schools_for(user, event) if event is not None else schools_for(user, EDIT)
    return schools.filter(pk=school_id).exists()


def may_change_registration(user, registration) -> bool:
    """A registration is cancelled by the event's managers or by those who edit its school."""
    return may_manage_event(user, registration.event) or can(user, EDIT, registration)


def may_give_feedback(user, registration) -> bool:
    """The reflection sheet: the participant themselves, or whoever may change the registration."""
    if registration.user_id and registration.user_id == getattr(user, "pk", None):
        return True
    return may_change_registration(user, registration)


def may_see_registration(user, registration) -> bool:
    """A registration opens through its school's scope, to the event's managers and to the
    participant themselves."""
    if registration.user_id and registration.user_id == getattr(user, "pk", None):
        return True
    return can(user, VIEW, registration) or may_manage_event(user, registration.event)


def registration_permissions(user, event, registrations) -> dict[int, tuple[bool, bool]]:
    """``may_change_registration`` and ``may_give_feedback`` of many registrations of one
    event in two queries (the event page's list): id → (change, feedback)."""
    managed = may_manage_event(user, event)
    edited = set() if managed else set(schools_for(user, EDIT).values_list("id", flat=True))
    result = {}
    for reg in registrations:
        change = managed or reg.school_id in edited
        own = bool(reg.user_id) and reg.user_id == getattr(user, "pk", None)
        result[reg.pk] = (change, change or own)
    return result


# --- Imports: results, task plans, school context ---------------------------------------------


def may_import(user) -> bool:
    """Files (results, task plans, school context) are uploaded by coordinators — anyone who
    manages schools — and superusers."""
    return _usable(user) and (user.is_superuser or has_school_scope(user, MANAGE))


def may_redo_import(user, batch) -> bool:
    """A results import is run again or rolled back by a coordinator of its municipality;
    ``user=None`` is the system."""
    return user is None or user.is_superuser or can(user, MANAGE, batch)


def may_confirm_import(user, batch) -> bool:
    """A checked import is confirmed (or cancelled) by its uploader or a coordinator of its
    municipality; ``user=None`` is the system (a task, a command)."""
    return user is None or user.is_superuser or batch.uploaded_by_id == user.pk or can(user, MANAGE, batch)


# --- What a user's scope rests on (core.cache's keys and generations) ----------------------


def scope_key(user) -> str:
    """What decides which data a user sees: their role and the organisation it rests on
    (a curator's scope is their own assignments of the academic year, so their id and the
    year: the queries kept per scope — core/compiled.py — name the year).  Users who share
    it see the same figures; users who do not never share a cached value."""
    if not _usable(user):
        return "anon"
    if user.is_superuser:
        return "su"
    if user.role == Role.CURATOR:
        from core.years import current_academic_year

        return f"cur{user.pk}:{current_academic_year()}"
    return f"{user.role or '-'}:{user.region_id or 0}:{user.municipality_id or 0}:{user.school_id or 0}"


def scope_reach(user) -> tuple:
    """Where ``user``'s view scope rests, for the cache's per-scope generations: ``("all",)``,
    ``("region", id)``, ``("municipality", id)``, ``("school", id)`` (its municipality),
    ``("curator", user id)`` (the municipalities of ``curated_municipality_ids``) or ``()``."""
    if not _usable(user):
        return ()
    if user.is_superuser:
        return ("all",)
    role = user.role
    if role == Role.REGIONAL_COORDINATOR:
        return ("region", user.region_id)
    if role in (Role.MUNICIPAL_COORDINATOR, Role.METHODIST):
        return ("municipality", user.municipality_id)
    if role == Role.SCHOOL_ADMIN:
        return ("school", user.school_id) if user.school_id else ()
    if role == Role.CURATOR:
        return ("curator", user.pk)
    return ()


def curated_municipality_ids(user) -> list[int]:
    """The municipalities of the schools ``user`` is the curator of this year."""
    return list(curated_schools(user).values_list("municipality_id", flat=True))


def school_places(ids) -> dict[int, tuple[int, int]]:
    """School id → (municipality id, region id), for the schools that exist."""
    from schools.models import School

    rows = School._base_manager.filter(pk__in=ids).values_list("id", "municipality_id", "municipality__region_id")
    return {pk: (muni, region) for pk, muni, region in rows}


def municipality_regions(ids) -> dict[int, int]:
    """Municipality id → region id, for the municipalities that exist."""
    from schools.models import Municipality

    return dict(Municipality._base_manager.filter(pk__in=ids).values_list("id", "region_id"))


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


def roadmap_people(user) -> QuerySet:
    """People ``user`` may name as responsible for a roadmap's activity: the staff of the
    schools and municipalities whose roadmaps the user may edit."""
    from accounts.models import User

    if not _usable(user):
        return User.objects.none()
    return User.objects.filter(
        Q(school__in=schools_for(user, EDIT).values("id"))
        | Q(municipality__in=municipalities_for(user, EDIT).values("id"))
    )


def event_level_schools(user) -> QuerySet:
    """Schools of the municipalities and regions where ``user`` places events and bank
    materials (``level_choices``): hosts, organisers, authors."""
    from events.services import schools_of_levels

    return schools_of_levels(*level_choices(user))


def event_level_people(user) -> QuerySet:
    """People of those municipalities and regions: an event's organisers."""
    from accounts.models import User

    municipalities, regions = level_choices(user)
    return User.objects.filter(
        Q(municipality__in=municipalities) | Q(school__municipality__in=municipalities) | Q(region__in=regions)
    )


def event_level_events(user) -> QuerySet:
    """Events placed in those municipalities and regions: where a bank material was presented."""
    from events.models import Event

    municipalities, regions = level_choices(user)
    return Event.objects.filter(Q(municipality__in=municipalities) | Q(region__in=regions))


def event_level_municipalities(user) -> QuerySet:
    return level_choices(user)[0]


def event_level_regions(user) -> QuerySet:
    return level_choices(user)[1]
