"""The one scoping function: which schools each role sees, edits and manages."""

import pytest

from accounts.scoping import EDIT, MANAGE, VIEW, municipalities_for, schools_for

pytestmark = pytest.mark.django_db


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_superuser_sees_everything(world):
    assert codes(schools_for(world.superuser)) == ["A1S1", "A1S2", "A1S3", "A2S1", "B1S1"]


def test_regional_coordinator_reads_the_region_and_changes_no_municipal_workflow(world):
    assert codes(schools_for(world.regional)) == ["A1S1", "A1S2", "A1S3", "A2S1"]
    assert codes(schools_for(world.regional, EDIT)) == []
    assert codes(schools_for(world.regional, MANAGE)) == []
    assert municipalities_for(world.regional, MANAGE).count() == 0


def test_municipal_coordinator_scope_is_municipality(world):
    assert codes(schools_for(world.coordinator)) == ["A1S1", "A1S2", "A1S3"]
    assert codes(schools_for(world.coordinator, MANAGE)) == ["A1S1", "A1S2", "A1S3"]
    assert codes(schools_for(world.coordinator_a2)) == ["A2S1"]


def test_methodist_reads_municipality_but_changes_nothing(world):
    assert codes(schools_for(world.methodist)) == ["A1S1", "A1S2", "A1S3"]
    assert codes(schools_for(world.methodist, EDIT)) == []
    assert codes(schools_for(world.methodist, MANAGE)) == []


def test_curator_sees_only_assigned_schools_of_current_year(world):
    from curators.models import CuratorAssignment

    assert codes(schools_for(world.curator)) == ["A1S1"]
    assert codes(schools_for(world.curator, EDIT)) == []
    CuratorAssignment.objects.create(curator=world.curator, school=world.a1_school2, year=2015)
    assert codes(schools_for(world.curator)) == ["A1S1"], "a past year's assignment gives no scope"


def test_school_admin_sees_and_edits_only_own_school(world):
    assert codes(schools_for(world.school_admin)) == ["A1S1"]
    assert codes(schools_for(world.school_admin, EDIT)) == ["A1S1"]
    assert codes(schools_for(world.school_admin, MANAGE)) == []


def test_user_without_role_and_anonymous_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert codes(schools_for(world.no_role)) == []
    assert codes(schools_for(AnonymousUser())) == []
    world.coordinator.is_active = False
    assert codes(schools_for(world.coordinator)) == []


def test_municipalities_for(world):
    names = lambda qs: sorted(qs.values_list("name", flat=True))  # noqa: E731
    assert names(municipalities_for(world.regional)) == ["Округ А1", "Округ А2"]
    assert names(municipalities_for(world.coordinator, MANAGE)) == ["Округ А1"]
    assert names(municipalities_for(world.school_admin)) == ["Округ А1"]
    assert names(municipalities_for(world.school_admin, MANAGE)) == []
    assert names(municipalities_for(world.outsider, VIEW)) == ["Округ Б1"]


def test_municipalities_overseen(world):
    from accounts.scoping import municipalities_overseen

    names = lambda qs: sorted(qs.values_list("name", flat=True))  # noqa: E731
    assert municipalities_overseen(world.superuser).count() == 3
    assert names(municipalities_overseen(world.regional)) == ["Округ А1", "Округ А2"]
    assert names(municipalities_overseen(world.coordinator)) == ["Округ А1"]
    assert names(municipalities_overseen(world.methodist)) == ["Округ А1"]
    assert names(municipalities_overseen(world.curator)) == []
    assert names(municipalities_overseen(world.school_admin)) == []
