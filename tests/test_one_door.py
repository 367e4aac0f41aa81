"""Issue 13, the structural step: services take domain arguments (never forms) and raise no
Http404; pages and API call the same service; POST actions are declared on the one action
view; a service's refusal is mapped once (core.errors → form errors and messages,
core.rest → API answers)."""

import datetime

import pytest
from django.contrib.messages import get_messages

from events.models import Registration, RegistrationStatus
from tests.events.conftest import make_event

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- One service for the page and the API -------------------------------------------------------


def test_more_places_through_the_api_move_the_waiting_list_up_as_on_the_page(world, api):
    """``events.services.event_save`` is the door of both: a PATCH that raises the capacity
    promotes the waiting list (the API used to save the serializer past it)."""
    event = make_event(world.a1, host_school=world.a1_school1, capacity=1)
    Registration.objects.create(event=event, school=world.a1_school1, full_name="Иванова Анна")
    waiting = Registration.objects.create(
        event=event, school=world.a1_school1, full_name="Петрова Мария", status=RegistrationStatus.WAITLISTED
    )
    response = api(world.methodist).patch(f"/api/v1/events/{event.pk}/", {"capacity": 2}, format="json")
    assert response.status_code == 200, response.content
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED


def test_an_event_created_through_the_api_gets_the_reflection_sheet_and_its_author(world, api):
    from events.models import Event
    from tests.events.test_api import event_body

    response = api(world.methodist).post("/api/v1/events/", event_body(world, title="Через API"), format="json")
    assert response.status_code == 201, response.content
    event = Event.objects.get(title="Через API")
    assert event.created_by == world.methodist and event.questions.count() == 5


def test_event_save_takes_domain_arguments(world):
    """The service is called with the event's values (a form's cleaned data or an API body)."""
    from django.core.exceptions import PermissionDenied

    from events.models import Event, Theme
    from events.services import event_save

    theme = Theme.objects.create(name="Тема для проверки")
    start = datetime.datetime(2030, 3, 1, 10, tzinfo=datetime.UTC)
    values = {
        "municipality": world.a1,
        "format": "seminar",
        "title": "Семинар",
        "start": start,
        "end": start + datetime.timedelta(hours=2),
        "themes": [theme],
        "organiser_schools": [world.a1_school2],
    }
    event = event_save(actor=world.methodist, **values)
    assert list(event.themes.all()) == [theme] and list(event.organiser_schools.all()) == [world.a1_school2]
    with pytest.raises(PermissionDenied):
        event_save(actor=world.coordinator_b1, **{**values, "title": "Чужой"})
    assert not Event.objects.filter(title="Чужой").exists()


def test_a_foreign_report_subject_is_a_404_in_the_api_like_a_missing_one(world, api):
    client = api(world.coordinator)
    body = {"kind": "school", "subject": world.b1_school1.pk, "year": 2025, "fmt": "pdf"}
    foreign = client.post("/api/v1/reports/", body, format="json")
    missing = client.post("/api/v1/reports/", {**body, "subject": 10**8}, format="json")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


# --- One mapping of refusals ---------------------------------------------------------------------


def test_a_refusal_in_the_api_is_the_one_error_body(world, api):
    """A service's «not yours» is 403 with its reason; bad input is the API's one 400 body."""
    from tests.curators.factories import RecommendationFactory, VisitFactory

    visit = VisitFactory(school=world.a1_school1, curator=world.curator, date=datetime.date.today())
    rec = RecommendationFactory(visit=visit, due_date=datetime.date.today())
    refused = api(world.curator).post(f"/api/v1/recommendations/{rec.pk}/done/", {"comment": "x"}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Отметить рекомендацию выполненной может только школа.", "code": "forbidden"}
    assert api(world.school_admin).post(f"/api/v1/visits/{visit.pk}/confirm/").status_code == 200
    again = api(world.school_admin).post(f"/api/v1/visits/{visit.pk}/confirm/")
    assert again.status_code == 400
    assert again.json() == {
        "detail": "Некорректные данные.",
        "code": "invalid",
        "errors": {"non_field_errors": ["Запись о визите уже подтверждена."]},
    }


def test_service_errors_land_on_their_fields(world):
    from django import forms
    from django.core.exceptions import ValidationError

    from core.errors import add_service_errors

    class F(forms.Form):
        year = forms.IntegerField()

    form = F({"year": 1})
    form.is_valid()
    add_service_errors(form, ValidationError({"year": "Не тот год.", "order": "Нужен приказ."}))
    assert form.errors["year"] == ["Не тот год."]
    assert form.non_field_errors() == ["Нужен приказ."]


# --- One POST action view ------------------------------------------------------------------------


def test_report_create_refuses_a_bad_period_with_a_message_and_hides_a_foreign_roadmap(world, login):
    from tests.roadmaps.conftest import make_roadmap

    roadmap = make_roadmap(school=world.a1_school1)
    client = login(world.school_admin)
    response = client.post(f"/roadmaps/{roadmap.pk}/reports/new/", {"period": "не дата"})
    assert response.status_code == 302 and response["Location"] == roadmap.get_absolute_url()
    assert _messages(response) == ["Выберите отчётный период."]
    assert (
        login(world.outsider).post(f"/roadmaps/{roadmap.pk}/reports/new/", {"period": "2025-09-01"}).status_code == 404
    )


def test_anti_risk_proposal_of_a_missing_or_foreign_school_is_a_404(world, login):
    client = login(world.school_admin)
    assert client.post("/roadmaps/documents/anti-risk/", {"school": "abc"}).status_code == 404
    assert client.post("/roadmaps/documents/anti-risk/", {"school": world.b1_school1.pk}).status_code == 404
    response = client.post("/roadmaps/documents/anti-risk/", {"school": world.a1_school1.pk})
    assert response.status_code == 302 and response["Location"].endswith(f"?school={world.a1_school1.pk}")
    assert _messages(response)[0].startswith("Создано черновиков антирисковых программ")


def test_node_delete_of_a_frozen_plan_is_refused_and_a_foreign_node_is_a_404(world, login):
    from roadmaps.models import Goal, RoadmapStatus
    from tests.roadmaps.conftest import make_roadmap

    roadmap = make_roadmap(school=world.a1_school1, status=RoadmapStatus.SUBMITTED)  # under review: frozen
    goal = roadmap.goals.get()
    response = login(world.school_admin).post(f"/roadmaps/nodes/goal/{goal.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == roadmap.get_absolute_url()
    assert Goal.objects.filter(pk=goal.pk).exists()
    assert _messages(response) == [
        "Дорожная карта на рассмотрении: её план нельзя изменить, пока её не утвердят или не вернут."
    ]
    assert login(world.outsider).post(f"/roadmaps/nodes/goal/{goal.pk}/delete/").status_code == 404
    assert login(world.school_admin).post(f"/roadmaps/nodes/nonsense/{goal.pk}/delete/").status_code == 404


def test_an_assignment_made_through_the_api_is_filled_from_the_profile_as_on_the_page(world, api):
    """``curators.services.assignment_save`` is the door of both: the curator's workplace and
    position, left empty, come from their profile (the API used to save the body as it was)."""
    from core.years import current_academic_year
    from curators.models import CuratorAssignment
    from tests.factories import OrderFactory

    world.curator.position = "учитель математики"
    world.curator.save()
    order = OrderFactory(municipality=world.a1)
    body = {
        "curator": world.curator.pk,
        "school": world.a1_school2.pk,
        "year": current_academic_year(),
        "order": order.pk,
    }
    response = api(world.coordinator).post("/api/v1/curator-assignments/", body, format="json")
    assert response.status_code == 201, response.content
    assignment = CuratorAssignment.objects.get(pk=response.json()["id"])
    assert (assignment.workplace, assignment.position) == (world.a1_curator_school.short_name, "учитель математики")
