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


# --- The regional coordinator (issue 18): reads every municipality, changes none of their workflow.


def test_regions_for_and_regions_overseen(world):
    from accounts.scoping import regions_for, regions_overseen

    names = lambda qs: sorted(qs.values_list("name", flat=True))  # noqa: E731
    for who in ("regional", "coordinator", "methodist", "curator", "school_admin"):
        assert names(regions_for(getattr(world, who))) == ["Область А"], who
    assert names(regions_for(world.outsider)) == ["Область Б"]
    assert names(regions_for(world.no_role)) == []
    assert names(regions_for(world.regional, MANAGE)) == ["Область А"]
    assert names(regions_for(world.coordinator, MANAGE)) == []
    assert names(regions_overseen(world.regional)) == ["Область А"]
    assert names(regions_overseen(world.coordinator)) == []
    assert regions_overseen(world.superuser).count() == 2


@pytest.mark.parametrize(
    "url",
    [
        "/schools/new/",
        "/schools/orders/new/",
        "/schools/statuses/new/",
        "/schools/statuses/yearly-list/",
        "/schools/programmes/new/",
        "/curators/assignments/new/",
        "/curators/assignments/grid/",
        "/curators/pairs/new/",
        "/assessment/imports/new/",
        "/roadmaps/new/",
    ],
)
def test_regional_coordinator_gets_no_municipal_workflow_page(world, login, url):
    assert login(world.regional).get(url).status_code == 404
    assert login(world.coordinator).get(url).status_code == 200, "the municipality's own coordinator does"


def test_regional_coordinator_sets_no_status_list_and_edits_no_school(world, login):
    from django.core.exceptions import PermissionDenied, ValidationError

    from schools import services
    from schools.models import SchoolStatus
    from tests.factories import OrderFactory

    order = OrderFactory(municipality=world.a1)
    with pytest.raises((PermissionDenied, ValidationError)):
        services.status_list_set(
            municipality=world.a1,
            kind="low_results",
            year=2025,
            schools=[world.a1_school1],
            order=order,
            user=world.regional,
        )
    assert not SchoolStatus.objects.exists()
    assert login(world.regional).get(f"/schools/{world.a1_school1.pk}/").status_code == 200, "reads the card"
    assert login(world.regional).get(f"/schools/{world.a1_school1.pk}/edit/").status_code == 404
    assert login(world.regional).get(f"/schools/{world.b1_school1.pk}/").status_code == 404, "another region"
