"""Issue 13, the structural step: one policy module (accounts.scoping) answers every "who
may"; the ground floor (core) asks it through core.policy and imports no domain app; the
querysets hold no scope rule of their own."""

import ast
import inspect
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_APPS = {
    "accounts",
    "schools",
    "curators",
    "events",
    "roadmaps",
    "assessment",
    "reports",
    "regional",
    "skills",
    "socialcontext",
}


def _imports(path: Path):
    """Every module an ``import`` / ``from … import`` anywhere in the file names."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module


def test_core_imports_no_domain_app():
    """No module of core — at module level or inside a function — imports a domain app."""
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted((ROOT / "core").rglob("*.py"))
        if "migrations" not in path.parts
        for line, module in _imports(path)
        if module.split(".")[0] in DOMAIN_APPS
    ]
    assert offending == []
    assert {"accounts", *settings.OPORA_APPS} == DOMAIN_APPS


def test_the_policy_is_a_setting():
    from accounts import scoping
    from core import policy

    assert settings.OPORA_POLICY == "accounts.scoping"
    assert policy.policy() is scoping


def test_querysets_hold_no_scope_rule():
    """No model's queryset overrides ``restrict()``: the rules live in the policy's table."""
    from django.apps import apps

    from core.models import ScopedQuerySet

    for model in apps.get_models():
        qs_class = type(model._default_manager.all())
        restrict = getattr(qs_class, "restrict", None)
        if restrict is None:
            continue
        assert restrict is ScopedQuerySet.restrict, (model._meta.label, inspect.getsourcefile(restrict))


@pytest.mark.parametrize("label", ["assessment.importbatch", "events.material", "skills.skill"])
def test_rule_table_names_real_models(label):
    from django.apps import apps

    from accounts.scoping import RULES

    assert label in RULES
    assert apps.get_model(label) is not None
    for name in RULES:
        apps.get_model(name)


# --- The predicates, per role, on real objects ------------------------------------------------

pytestmark = pytest.mark.django_db

ROLES = ("superuser", "regional", "coordinator", "coordinator_b1", "methodist", "curator", "school_admin", "outsider")


def _answers(world, predicate, *args) -> set[str]:
    """The roles of ``world`` for whom ``predicate(user, *args)`` is true."""
    return {role for role in ROLES if predicate(getattr(world, role), *args)}


def test_visit_and_recommendation_predicates(world):
    from accounts import scoping
    from tests.curators.factories import RecommendationFactory, VisitFactory
    from tests.factories import UserFactory

    visit = VisitFactory(school=world.a1_school1, curator=world.curator)
    rec = RecommendationFactory(visit=visit)
    assert _answers(world, scoping.may_edit_visit, visit) == {"superuser", "coordinator", "curator"}
    assert _answers(world, scoping.may_confirm_visit, visit) == {"school_admin"}
    assert _answers(world, scoping.may_update_recommendation, rec) == {"superuser", "coordinator", "school_admin"}
    assert _answers(world, scoping.may_close_recommendation, rec) == {"superuser", "coordinator", "curator"}
    assert _answers(world, scoping.may_log_visit, world.a1_school1) == {"superuser", "coordinator", "curator"}
    # A second curator of the school logs visits there but does not rewrite a colleague's record.
    colleague = UserFactory(username="curator_a1_2", role="curator", school=world.a1_school2)
    from curators.models import CuratorAssignment

    CuratorAssignment.objects.create(curator=colleague, school=world.a1_school1, year=current_year())
    assert scoping.may_log_visit(colleague, world.a1_school1)
    assert not scoping.may_edit_visit(colleague, visit)
    assert scoping.may_be_curator(world.curator) and scoping.may_be_curator(world.coordinator)
    assert not scoping.may_be_curator(world.school_admin) and not scoping.may_be_curator(world.methodist)


def current_year() -> int:
    from core.years import current_academic_year

    return current_academic_year()


def test_whose_curator_is_written_once(world):
    """«Is this the school's curator» has one answer, by year; the risk profile asks it."""
    from accounts import scoping

    year = current_year()
    assert scoping.is_school_curator(world.curator, world.a1_school1)
    assert not scoping.is_school_curator(world.curator, world.a1_school1, year - 1)
    assert not scoping.is_school_curator(world.curator, world.a1_school2)
    assert _answers(world, scoping.may_confirm_risks, world.a1_school1, year) == {"superuser", "coordinator", "curator"}
    assert _answers(world, scoping.may_confirm_risks, world.a1_school1, year - 1) == {"superuser", "coordinator"}
    assert set(scoping.curated_municipality_ids(world.curator)) == {world.a1.pk}


def test_roadmap_and_report_predicates(world):
    from accounts import scoping
    from roadmaps import services
    from tests.roadmaps.conftest import make_roadmap

    roadmap = make_roadmap(world.a1_school1)
    report = services.progress_report_create(user=world.school_admin, roadmap=roadmap, period_start=roadmap.start_date)
    fill_roles = {"superuser", "coordinator", "school_admin"}
    assert _answers(world, scoping.may_fill_roadmap, roadmap) == fill_roles
    assert _answers(world, scoping.may_fill_report, report) == fill_roles
    assert _answers(world, scoping.may_review, roadmap) == {"superuser", "coordinator", "curator"}
    assert _answers(world, scoping.may_review_report, report) == {"curator"}
    assert _answers(world, scoping.may_approve_report, report) == {"superuser", "coordinator"}
    municipal = make_roadmap(municipality=world.a1, title="Муниципальная")
    assert _answers(world, scoping.may_review, municipal) == {"superuser", "coordinator"}
    municipal_report = services.progress_report_create(
        user=world.coordinator, roadmap=municipal, period_start=municipal.start_date
    )
    assert _answers(world, scoping.may_review_report, municipal_report) == set()


def test_event_predicates(world):
    from accounts import scoping
    from events.models import Registration
    from tests.events.conftest import make_event

    municipal = make_event(world.a1, host_school=world.a1_school1)
    regional = make_event(None, region=world.region_a)
    assert _answers(world, scoping.may_manage_event, municipal) == {"superuser", "coordinator", "methodist"}
    assert _answers(world, scoping.may_manage_event, regional) == {"superuser", "regional"}
    assert _answers(world, lambda u: scoping.may_plan_events(u)) == {
        "superuser",
        "regional",
        "coordinator",
        "coordinator_b1",
        "methodist",
    }
    assert _answers(world, scoping.may_register_for, world.a1_school1, regional) == {
        "superuser",
        "regional",
        "coordinator",
        "school_admin",
    }
    assert _answers(world, scoping.may_register_for, world.a1_school1, municipal) == {
        "superuser",
        "coordinator",
        "methodist",
        "school_admin",
    }
    regs = [
        Registration.objects.create(event=event, school=school, full_name="Иванова Анна", user=world.school_admin2)
        for event in (municipal, regional)
        for school in (world.a1_school1, world.a2_school1)
    ]
    for role in (*ROLES, "school_admin2"):
        user = getattr(world, role)
        for event in (municipal, regional):
            rows = [r for r in regs if r.event_id == event.pk]
            batch = scoping.registration_permissions(user, event, rows)
            for reg in rows:
                single = (scoping.may_change_registration(user, reg), scoping.may_give_feedback(user, reg))
                assert batch[reg.pk] == single, (role, event.title, reg.school)
    # The participant themselves gives feedback (and sees the registration), nothing more.
    own = regs[1]
    assert scoping.may_give_feedback(world.school_admin2, own) and scoping.may_see_registration(
        world.school_admin2, own
    )
    assert not scoping.may_change_registration(world.school_admin2, own)


def test_import_predicates(world):
    from accounts import scoping
    from assessment.models import ImportBatch

    batch = ImportBatch.objects.create(original_name="r.xlsx", uploaded_by=world.methodist, municipality=world.a1)
    assert _answers(world, lambda u: scoping.may_import(u)) == {"superuser", "coordinator", "coordinator_b1"}
    assert _answers(world, scoping.may_confirm_import, batch) == {"superuser", "coordinator", "methodist"}
    assert _answers(world, scoping.may_redo_import, batch) == {"superuser", "coordinator"}
    assert scoping.may_confirm_import(None, batch) and scoping.may_redo_import(None, batch)
    # The import rule of the table: coordinators of the municipality, and the uploader.
    visible = {role for role in ROLES if ImportBatch.objects.restrict(getattr(world, role)).filter(pk=batch.pk)}
    assert visible == {"superuser", "coordinator", "methodist"}
    assert _answers(world, lambda u: scoping.may_form_pairs(u)) == {"superuser", "coordinator", "coordinator_b1"}


def test_scope_key_and_reach(world):
    """The cache's key and generations are the policy's answer (core/cache.py asks it)."""
    from accounts import scoping
    from core import cache
    from core.years import current_academic_year

    # a curator's scope: their assignments of the academic year
    assert cache.scope_key(world.curator) == f"cur{world.curator.pk}:{current_academic_year()}"
    assert cache.scope_key(world.coordinator) == f"municipal:{world.region_a.pk}:{world.a1.pk}:0"
    assert cache.scope_key(world.superuser) == "su"
    assert scoping.scope_reach(world.school_admin) == ("school", world.a1_school1.pk)
    assert cache.reader_parts(world.school_admin) == (f"m{world.a1.pk}",)
    assert cache.reader_parts(world.curator) == (f"m{world.a1.pk}",)
    assert cache.reader_parts(world.regional) == (f"r{world.region_a.pk}",)
    assert cache.reader_parts(world.methodist) == (f"m{world.a1.pk}",)
    assert cache.reader_parts(world.no_role) == ()


# --- Pages and API answer as the policy does ---------------------------------------------------


def test_event_page_offers_what_the_service_allows(world, login):
    """The cancel button of a registration is shown to whoever the service lets cancel it: a
    municipal coordinator cancels their schools' registrations for a regional event (shown
    only to the school's administrator before), and the cancel then goes through."""
    from events.models import Registration, RegistrationStatus
    from tests.events.conftest import make_event

    regional = make_event(None, region=world.region_a)
    reg = Registration.objects.create(event=regional, school=world.a1_school1, full_name="Иванова Анна")
    foreign = Registration.objects.create(event=regional, school=world.a2_school1, full_name="Петрова Мария")
    response = login(world.coordinator).get(regional.get_absolute_url())
    flags = {r.pk: r.can_change for r in response.context["registrations"]}
    assert flags == {reg.pk: True}
    assert foreign.pk not in flags
    response = login(world.coordinator).post(f"/events/registrations/{reg.pk}/cancel/")
    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.CANCELLED


def test_visit_api_patch_follows_the_page(world, api):
    """PATCH of a visit over the API asks what the page's edit asks: the visit's curator or a
    coordinator — not another curator of the school (403) — and never once the school
    confirmed it (409, frozen, as every frozen write).  Both were 400s before: the view asked
    a different rule (may log a visit) and the service behind it refused."""
    from curators.models import CuratorAssignment
    from tests.curators.factories import VisitFactory
    from tests.factories import UserFactory

    visit = VisitFactory(school=world.a1_school1, curator=world.curator)
    colleague = UserFactory(username="curator_a1_2", role="curator", school=world.a1_school2)
    CuratorAssignment.objects.create(curator=colleague, school=world.a1_school1, year=current_year())
    url = f"/api/v1/visits/{visit.pk}/"
    assert api(colleague).patch(url, {"findings": "Чужая правка"}, format="json").status_code == 403
    assert api(world.curator).patch(url, {"findings": "Своя правка"}, format="json").status_code == 200
    assert api(world.school_admin).post(f"{url}confirm/").status_code == 200
    response = api(world.curator).patch(url, {"findings": "После подписи"}, format="json")
    assert response.status_code == 409, response.content
    visit.refresh_from_db()
    assert visit.findings == "Своя правка"


def test_municipality_level_predicates(world):
    from accounts import scoping

    assert _answers(world, lambda u: scoping.may_set_status_lists(u)) == {"superuser", "coordinator", "coordinator_b1"}
    assert _answers(world, lambda u: scoping.may_oversee_municipalities(u)) == {
        "superuser",
        "regional",
        "coordinator",
        "coordinator_b1",
        "methodist",
    }
    assert _answers(world, scoping.may_register_order, world.a1) == {"superuser", "coordinator"}
    assert _answers(world, scoping.may_edit_info_note, world.a1.pk) == {"superuser", "coordinator"}


def test_menu_asks_the_policy(world, rf):
    """The menu shows a role's entries (core.navigation asks may_see_menu_item): the partner
    pairs are the coordinators' and methodists', not a school administrator's."""
    from django.urls import reverse

    from accounts import scoping
    from core.navigation import menu_for

    def urls(user):
        request = rf.get("/")
        request.user = user
        return {item["url"] for section in menu_for(request) for item in section["items"]}

    pairs = reverse("curators:pair-list")
    assert {role for role in ROLES if pairs in urls(getattr(world, role))} == {
        "superuser",
        "regional",
        "coordinator",
        "coordinator_b1",
        "methodist",
    }
    assert scoping.may_see_menu_item(world.school_admin, ())
    assert not scoping.may_see_menu_item(world.school_admin, ("municipal",))


def test_file_downloads_ask_the_policy(world, login, settings, tmp_path):
    """A stored file opens for those who may view an object owning it; a foreign school's
    file answers 404 like a missing one (core.views.protected_file → may_download_file)."""
    from django.core.files.base import ContentFile

    from accounts import scoping
    from roadmaps.models import SchoolDocument

    settings.MEDIA_ROOT = tmp_path
    doc = SchoolDocument(school=world.a1_school1, kind="anti_risk", year=current_year(), title="Программа")
    doc.file.save("programme.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    doc.save()
    allowed = {role for role in ROLES if scoping.may_download_file(getattr(world, role), doc.file.name)}
    assert allowed == {"superuser", "regional", "coordinator", "methodist", "curator", "school_admin"}
    assert login(world.school_admin).get(f"/files/{doc.file.name}").status_code == 200
    assert login(world.outsider).get(f"/files/{doc.file.name}").status_code == 404
    assert not scoping.may_download_file(world.school_admin, "roadmaps/none.pdf")
