"""The coordinator's home panel computes its figures with a few aggregate queries; they
must be the figures of the full planner and workload pages."""

import datetime

import pytest
from django.utils import timezone

from accounts.scoping import schools_for
from core.years import current_academic_year
from curators import selectors
from curators.models import CuratorAssignment
from schools.models import RiskAssessment, RiskFactor, SchoolStatus, StatusKind
from tests.curators.factories import RecommendationFactory, VisitFactory
from tests.factories import OrderFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_planner_summary_is_the_head_of_the_visit_planner(world):
    year = current_academic_year()
    today = timezone.localdate()
    order = OrderFactory(municipality=world.a1)
    schools = [SchoolFactory(municipality=world.a1, short_name=f"Школа {i:02d}") for i in range(9)]
    factors = list(RiskFactor.objects.filter(is_active=True)[:3])
    for i, school in enumerate(schools):
        SchoolStatus.objects.create(school=school, kind=StatusKind.LOW_RESULTS, year_from=year - i % 2, order=order)
        for j, factor in enumerate(factors):
            level = ["high", "medium", "low", "none"][(i + j) % 4]
            RiskAssessment.objects.create(school=school, year=year, factor=factor, level=level)
        if i % 3:
            visit = VisitFactory(school=school, curator=world.curator, date=today - datetime.timedelta(days=10 * i))
            if i % 2:
                RecommendationFactory(visit=visit, due_date=today - datetime.timedelta(days=1))
    low = schools_for(world.coordinator).filter(statuses__kind=StatusKind.LOW_RESULTS).distinct()
    full = selectors.visit_planner(low, year)
    top, unvisited = selectors.planner_summary(low, year, limit=5)
    assert [r["school"].pk for r in top] == [r["school"].pk for r in full[:5]]
    figures = ("score", "days_since_visit", "risk_high", "risk_medium", "overdue_recs", "last_visit")
    assert [[r[f] for f in figures] for r in top] == [[r[f] for f in figures] for r in full[:5]]
    assert unvisited == sum(1 for r in full if r["days_since_visit"] is None or r["days_since_visit"] > 60)
    assert 0 < unvisited < len(full)


def test_curators_at_work_counts_the_workload_rows(world):
    year = current_academic_year()
    other = UserFactory(username="curator_2", role="curator", school=world.a1_school2)
    CuratorAssignment.objects.create(curator=other, school=world.a1_school2, year=year)
    CuratorAssignment.objects.create(curator=other, school=world.a1_curator_school, year=year)
    CuratorAssignment.objects.create(curator=other, school=world.b1_school1, year=year)
    for user in (world.coordinator, world.regional, world.coordinator_b1, world.superuser, world.school_admin):
        assert selectors.curators_at_work(user, year) == len(selectors.curator_workload(user, year))
    assert selectors.curators_at_work(world.coordinator, year) == 2


def test_planner_summary_builds_the_schools_only_when_it_prepares(world):
    """The home passes the ШНОР queryset as a function: with a key it is built when the
    head is prepared, not on every call (check mode, the tests' setting, builds it on each
    call to compare the SQL); without a key it is built and read every time.  The rows are
    those of the queryset itself."""
    from django.test import override_settings

    from core.compiled import forget_prepared

    year = current_academic_year()
    order = OrderFactory(municipality=world.a1)
    for i in range(3):
        school = SchoolFactory(municipality=world.a1, short_name=f"Школа {i}")
        SchoolStatus.objects.create(school=school, kind=StatusKind.LOW_RESULTS, year_from=year, order=order)
    low = schools_for(world.coordinator).filter(statuses__kind=StatusKind.LOW_RESULTS).distinct()
    built = []

    def schools():
        built.append(1)
        return low

    expected = selectors.planner_summary(low, year, limit=2)
    assert selectors.planner_summary(schools, year, limit=2) == expected and len(built) == 1
    forget_prepared()
    with override_settings(OPORA_PREPARED_QUERIES="on"):
        for _ in range(3):
            assert selectors.planner_summary(schools, year, limit=2, key=("test-lazy",)) == expected
    assert len(built) == 2  # once more: when prepared
    with override_settings(OPORA_PREPARED_QUERIES="check"):
        assert selectors.planner_summary(schools, year, limit=2, key=("test-lazy",)) == expected
    assert len(built) == 3
    forget_prepared()
