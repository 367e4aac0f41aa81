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


# --- Form choices ----------------------------------------------------------------------------


def _pks(qs):
    return set(qs.values_list("pk", flat=True))


def _forms():
    from curators.forms import AssignmentForm, PartnerPairForm
    from events.forms import EventForm, MaterialForm
    from roadmaps.forms import RoadmapForm, SchoolDocumentForm
    from schools.forms import OrderForm, ProgrammeForm, SchoolForm, SchoolStatusForm
    from socialcontext.forms import SchoolContextForm

    return [
        AssignmentForm,
        PartnerPairForm,
        EventForm,
        MaterialForm,
        RoadmapForm,
        SchoolDocumentForm,
        OrderForm,
        ProgrammeForm,
        SchoolForm,
        SchoolStatusForm,
        SchoolContextForm,
    ]


ROLES = ("coordinator", "regional", "methodist", "curator", "school_admin", "outsider")


@pytest.mark.parametrize("form_index", range(11))
def test_scoped_form_choices_are_the_policy(world, form_index):
    """Every ModelChoiceField of a scoped form over a scoped model offers exactly what the
    policy allows for the form's user — ``restrict(model, user, action)`` — or, where the
    form names a narrower rule of the policy module (events' levels, appointable curators),
    exactly that rule's rows, which stay inside the view scope."""
    from core.forms import SHARED

    form_class = _forms()[form_index]
    checked = 0
    for role in ROLES:
        user = getattr(world, role)
        form = form_class(user=user)
        for name, field in form.fields.items():
            qs = getattr(field, "queryset", None)
            if qs is None:
                continue
            rule = form.get_scope_fields().get(name, form.scope_action)
            if rule == SHARED:
                continue
            offered = _pks(qs)
            checked += 1
            if callable(rule):
                assert offered <= _pks(rule(user)), (form_class.__name__, name, role)
                if _is_scoped(qs.model):
                    assert offered <= _pks(restrict(qs.model.objects.all(), user, VIEW)), (form_class.__name__, name)
                continue
            if _is_scoped(qs.model):
                assert offered == _pks(restrict(qs.model.objects.all(), user, rule)), (form_class.__name__, name, role)
            else:
                assert offered == _pks(qs.model.objects.all().restrict(user, rule)), (form_class.__name__, name, role)
    assert checked


def _is_scoped(model):
    from accounts.scoping import is_scoped

    return is_scoped(model)


def test_scoped_form_restricts_what_a_subclass_widens(world):
    """A subclass that assigns an unrestricted queryset still offers only the policy's choices,
    and a foreign school posted is refused as an invalid choice."""
    from schools.forms import SchoolStatusForm
    from schools.models import School

    class Widening(SchoolStatusForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["school"].queryset = School.objects.all()

    form = Widening({"school": world.b1_school1.pk}, user=world.coordinator)
    assert world.b1_school1.pk not in _pks(form.fields["school"].queryset)
    assert _pks(form.fields["school"].queryset) == _pks(restrict(School.objects.all(), world.coordinator, MANAGE))
    assert not form.is_valid() and "school" in form.errors


# --- One POST action view ----------------------------------------------------------------------


def test_action_view_maps_refusals_once_and_redirects_safely(world, login):
    """A roadmap transition refused by its service: the lead sentence and each of the
    service's messages, back to the roadmap whatever ``next`` says; a foreign one is 404."""
    from django.contrib.messages import get_messages

    from tests.roadmaps.conftest import make_roadmap

    roadmap = make_roadmap(school=world.a1_school1)  # approved: «submit» is refused
    client = login(world.school_admin)
    response = client.post(f"/roadmaps/{roadmap.pk}/submit/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == roadmap.get_absolute_url()
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts[0] == "Дорожную карту нельзя отправить: исправьте перечисленные ниже замечания."
    assert len(texts) == 2 and "черновик" in texts[1].lower()
    assert roadmap.status == type(roadmap).objects.get(pk=roadmap.pk).status
    assert login(world.outsider).post(f"/roadmaps/{roadmap.pk}/submit/").status_code == 404
    assert client.post(f"/roadmaps/{roadmap.pk}/nonsense/").status_code == 404
