"""Generations per scope (core/cache.py): a write of a scoped model (a visit, a
recommendation, a roadmap's rows, a risk profile) moves only its municipality's counter,
its region's and the superuser's, so the other municipalities' cached pages stay warm; any
other write moves the global counter, which every key carries.  Transactional: inside the
usual test transaction nothing is committed and the cache is bypassed."""

import datetime

import pytest
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse

from core import cache as portal_cache
from curators.models import LessonObservation, Recommendation, Visit
from schools.models import RiskAssessment, RiskFactor, School
from tests.curators.factories import VisitFactory

transactional = pytest.mark.django_db(transaction=True)
HOME = reverse("home")


def generations(world) -> dict[str, str]:
    """Each reader's scope generation (the global counter and their scope's)."""
    readers = {
        "a1": world.coordinator,
        "a1_methodist": world.methodist,
        "a1_school": world.school_admin,
        "a2": world.coordinator_a2,
        "b1": world.coordinator_b1,
        "region_a": world.regional,
        "curator": world.curator,
    }
    return {name: portal_cache.scope_generation(user) for name, user in readers.items()}


def moved(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


@transactional
def test_a_visit_moves_only_its_municipality_region_and_curators(world):
    global_before = portal_cache.generation()
    before = generations(world)
    visit = VisitFactory(school=world.a1_school1, curator=world.curator)  # with its history row
    after = generations(world)
    assert moved(before, after) == {"a1", "a1_methodist", "a1_school", "region_a", "curator"}
    assert portal_cache.generation() == global_before  # nothing unscoped was written
    # children of the visit (their scope is the visit's school) and an update
    again = generations(world)
    LessonObservation.objects.create(visit=visit, teacher="Иванова", subject="Математика", grade="5")
    Recommendation.objects.create(visit=visit, text="Провести семинар", due_date=datetime.date(2027, 1, 1))
    visit.findings = "Новые выводы"
    visit.save()
    assert moved(again, generations(world)) == {"a1", "a1_methodist", "a1_school", "region_a", "curator"}
    assert portal_cache.generation() == global_before


@transactional
def test_a_write_in_another_region_leaves_region_a_warm(world):
    before = generations(world)
    VisitFactory(school=world.b1_school1, curator=world.curator)
    assert moved(before, generations(world)) == {"b1"}


@transactional
def test_a_superuser_sees_every_scoped_write(world, django_user_model):
    admin = django_user_model.objects.create_superuser("scope_root", "scope_root@example.org", "x" * 12)
    before = portal_cache.scope_generation(admin)
    VisitFactory(school=world.b1_school1, curator=world.curator)
    assert portal_cache.scope_generation(admin) != before


@transactional
def test_unscoped_writes_move_every_reader(world):
    before = generations(world)
    School.objects.filter(pk=world.b1_school1.pk).update(students_count=5)  # a school: unscoped
    assert moved(before, generations(world)) == set(before)
    again = generations(world)
    Visit.objects.filter(school=world.a1_school1).update(findings="x")  # queryset.update(): unscoped
    assert moved(again, generations(world)) == set(before)


@transactional
def test_moving_a_row_to_another_municipality_touches_both(world):
    visit = VisitFactory(school=world.a1_school1, curator=world.curator)
    visit = Visit.objects.get(pk=visit.pk)  # as loaded by a form
    before = generations(world)
    visit.school = world.a2_school1
    visit.save()
    assert moved(before, generations(world)) >= {"a1", "a2", "region_a"}
    assert "b1" not in moved(before, generations(world))


@transactional
def test_a_risk_profile_and_a_delete_are_scoped(world):
    factor = RiskFactor.objects.filter(is_active=True).first() or RiskFactor.objects.create(code="x", name="x")
    before = generations(world)
    risk = RiskAssessment.objects.create(school=world.a2_school1, year=2026, factor=factor, level="high")
    assert moved(before, generations(world)) == {"a2", "region_a"}
    again = generations(world)
    risk.delete()
    assert moved(again, generations(world)) == {"a2", "region_a"}


@transactional
def test_a_transaction_moves_its_scopes_once_committed_and_nothing_when_rolled_back(world):
    before = generations(world)
    with transaction.atomic():
        VisitFactory(school=world.a2_school1, curator=world.curator)
        assert portal_cache.scope_generation(world.coordinator_a2) is None  # the writer bypasses the cache
        assert generations(world)["a2"] is None
    assert moved(before, generations(world)) == {"a2", "region_a"}
    again = generations(world)
    with transaction.atomic():
        VisitFactory(school=world.a2_school1, curator=world.curator)
        transaction.set_rollback(True)
    assert moved(again, generations(world)) == set()
    # a transaction that also writes something unscoped moves everything
    with transaction.atomic():
        VisitFactory(school=world.a2_school1, curator=world.curator)
        School.objects.filter(pk=world.b1_school1.pk).update(teachers_count=3)
    assert moved(again, generations(world)) == set(before)


@transactional
def test_a_failed_save_leaves_no_attribution_behind(world):
    visit = Visit(school=world.a1_school1, curator=world.curator, kind="nonsense" * 10, date=None)
    with pytest.raises((DataError, IntegrityError)), transaction.atomic():
        visit.save()  # NOT NULL date: the INSERT fails, post_save never comes
    portal_cache.forget_active()  # what request_started / task_prerun do
    before = generations(world)
    Visit.objects.filter(school=world.a1_school1).update(findings="y")  # unscoped, not «a1»
    assert moved(before, generations(world)) == set(before)


@transactional
def test_other_municipalities_pages_stay_warm_after_a_write(world, login, client, django_assert_max_num_queries):
    """The coordinator of A2 keeps their cached home page through a visit logged in A1;
    A1's coordinator sees it at once."""
    c2 = login(world.coordinator_a2)
    c2.get(HOME)
    with django_assert_max_num_queries(2) as warm:  # a hit: the page is not recomputed
        c2.get(HOME)
    hit_queries = len(warm.captured_queries)
    client.logout()
    c1 = login(world.coordinator)
    card = reverse("schools:school-detail", args=[world.a1_school1.pk])
    assert c1.get(card).status_code == 200  # cached before the visit
    visit = VisitFactory(school=world.a1_school1, curator=world.curator)
    client.logout()
    c2 = login(world.coordinator_a2)
    with django_assert_max_num_queries(hit_queries):  # still a hit after the write in A1
        c2.get(HOME)
    client.logout()
    c1 = login(world.coordinator)
    assert visit.get_absolute_url() in c1.get(card).content.decode()  # the new visit, at once


@transactional
def test_readers_of_each_role_depend_on_their_scope(world):
    assert portal_cache.reader_parts(world.coordinator) == (f"m{world.a1.pk}",)
    assert portal_cache.reader_parts(world.school_admin) == (f"m{world.a1.pk}",)
    assert portal_cache.reader_parts(world.regional) == (f"r{world.region_a.pk}",)
    assert portal_cache.reader_parts(world.curator) == (f"m{world.a1.pk}",)  # their assignment's
    from django.contrib.auth.models import AnonymousUser

    assert portal_cache.reader_parts(AnonymousUser()) == ()
