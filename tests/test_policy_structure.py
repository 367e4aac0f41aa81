"""Issue 13, the structural step: every queryset a page reads — prefetches, form choices —
goes through the policy module (accounts.scoping.restrict); a foreign object never leaks."""

import pytest

from accounts.scoping import MANAGE, VIEW, restrict
from core.years import current_academic_year
from curators.models import CuratorAssignment
from events.models import FeedbackResponse, Registration
from tests.events.conftest import make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- Prefetches ------------------------------------------------------------------------------


def test_assignment_grid_prefetch_is_restricted(world, login):
    """The grid's assignments are those the coordinator manages; a foreign one is absent."""
    year = current_academic_year()
    foreign_curator = UserFactory(username="curator_b1", role="curator", school=world.b1_school1)
    CuratorAssignment.objects.create(curator=foreign_curator, school=world.b1_school1, year=year)
    response = login(world.coordinator).get(f"/curators/assignments/grid/?year={year}&all=1")
    assert response.status_code == 200
    shown = {a.pk for row in response.context["rows"] for a in row["assignments"]}
    allowed = set(
        restrict(CuratorAssignment.objects.filter(year=year, is_active=True), world.coordinator, MANAGE).values_list(
            "pk", flat=True
        )
    )
    assert shown and shown <= allowed
    assert not CuratorAssignment.objects.filter(pk__in=shown, school=world.b1_school1).exists()


def test_event_feedback_prefetch_is_restricted(world, login):
    """A foreign school's feedback does not show through the event page's prefetch: the
    manager reads «has feedback» only of the registrations in their scope."""
    event = make_event(world.a1, days=-0.05, host_school=world.a1_school1)
    own = Registration.objects.create(event=event, school=world.a1_school1, full_name="Иванова Анна")
    foreign = Registration.objects.create(event=event, school=world.b1_school1, full_name="Петрова Мария")
    FeedbackResponse.objects.create(registration=own)
    FeedbackResponse.objects.create(registration=foreign)
    response = login(world.coordinator).get(event.get_absolute_url())
    assert response.status_code == 200
    flags = {r.pk: r.has_feedback for r in response.context["registrations"]}
    assert flags[own.pk] is True
    assert flags[foreign.pk] is False
    visible = restrict(FeedbackResponse.objects.all(), world.coordinator, VIEW)
    assert list(visible.values_list("registration_id", flat=True)) == [own.pk]
