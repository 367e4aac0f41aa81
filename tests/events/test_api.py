"""REST API: events, registrations, attendance, feedback, materials — scoped like the pages."""

import datetime

import pytest
from django.utils import timezone

from events.models import Event, FeedbackResponse, Material, QuestionKind, Registration
from tests.events.conftest import make_event

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("superuser", ["upcoming", "past", "other"]),
        ("coordinator", ["upcoming", "past"]),
        ("school_admin", ["upcoming", "past"]),
        ("coordinator_a2", []),
        ("outsider", ["other"]),
    ],
)
def test_event_list_scope(world, ev, api, who, names):
    assert ids(api(getattr(world, who)).get("/api/v1/events/")) == sorted(getattr(ev, n).pk for n in names)


def test_event_filters_shared_with_page(world, ev, api):
    client = api(world.coordinator)
    assert ids(client.get("/api/v1/events/", {"school": world.a1_school2.pk})) == [ev.past.pk]
    assert ids(client.get("/api/v1/events/", {"event_format": "webinar"})) == []
    assert ids(client.get("/api/v1/events/", {"q": "Квест"})) == [ev.upcoming.pk]


def event_body(world, **over):
    start = timezone.now() + datetime.timedelta(days=5)
    body = {
        "municipality": world.a1.pk,
        "format": "webinar",
        "title": "Вебинар о наставничестве",
        "start": start.isoformat(),
        "end": (start + datetime.timedelta(hours=1)).isoformat(),
    }
    body.update(over)
    return body


def test_event_write_rights(world, ev, api):
    assert api(world.methodist).post("/api/v1/events/", event_body(world), format="json").status_code == 201
    assert Event.objects.get(title="Вебинар о наставничестве").questions.count() == 5
    response = api(world.school_admin).post("/api/v1/events/", event_body(world, title="Чужое"), format="json")
    assert response.status_code == 400  # the municipality is not a valid choice for them
    assert not Event.objects.filter(title="Чужое").exists()
    assert (
        api(world.school_admin).patch(f"/api/v1/events/{ev.upcoming.pk}/", {"title": "X"}, format="json").status_code
        == 403
    )
    assert (
        api(world.outsider).patch(f"/api/v1/events/{ev.upcoming.pk}/", {"title": "X"}, format="json").status_code == 404
    )
    assert (
        api(world.methodist).patch(f"/api/v1/events/{ev.upcoming.pk}/", {"title": "Новое"}, format="json").status_code
        == 200
    )


def test_event_end_before_start_api(world, api):
    start = timezone.now() + datetime.timedelta(days=5)
    response = api(world.coordinator).post(
        "/api/v1/events/", event_body(world, end=(start - datetime.timedelta(hours=1)).isoformat()), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["end"] == ["Мероприятие должно закончиться позже, чем начаться."]


def test_registration_api_scope_and_capacity(world, ev, api):
    ev.upcoming.capacity = 1
    ev.upcoming.save()
    client = api(world.school_admin)
    body = {"event": ev.upcoming.pk, "school": world.a1_school1.pk, "full_name": "Иванова Анна", "position": "учитель"}
    first = client.post("/api/v1/event-registrations/", body, format="json")
    assert first.status_code == 201 and first.json()["status"] == "registered"
    second = client.post("/api/v1/event-registrations/", {**body, "full_name": "Петрова Мария"}, format="json")
    assert second.json()["status"] == "waitlisted"
    other = client.post("/api/v1/event-registrations/", {**body, "school": world.a1_school2.pk}, format="json")
    assert other.status_code == 400
    assert "только сотрудников своей школы" in str(other.json()["errors"])
    invisible = api(world.outsider).post(
        "/api/v1/event-registrations/", {**body, "school": world.b1_school1.pk}, format="json"
    )
    assert invisible.status_code == 404
    assert Registration.objects.count() == 2
    # Scope of reads: the other school's administrator sees none of them.
    assert ids(api(world.school_admin2).get("/api/v1/event-registrations/")) == []
    assert len(ids(api(world.coordinator).get("/api/v1/event-registrations/", {"event": ev.upcoming.pk}))) == 2
    # Cancel frees the place for the waiting list.
    cancel = client.post(f"/api/v1/event-registrations/{first.json()['id']}/cancel/")
    assert cancel.json()["status"] == "cancelled"
    assert Registration.objects.get(pk=second.json()["id"]).status == "registered"


def test_attendance_api(world, ev, api):
    reg = Registration.objects.create(event=ev.past, school=world.a1_school1, full_name="Иванова Анна")
    url = f"/api/v1/event-registrations/{reg.pk}/attendance/"
    assert api(world.school_admin).post(url, {"attended": True}, format="json").status_code == 403
    response = api(world.methodist).post(url, {"attended": True}, format="json")
    assert response.status_code == 200 and response.json()["attended"] is True


def test_feedback_api_once(world, api):
    event = make_event(world.a1, days=-1, host_school=world.a1_school1)
    reg = Registration.objects.create(event=event, school=world.a1_school1, full_name="Иванова Анна")
    answers = [
        {"question": q.pk, "rating": 4} if q.kind == QuestionKind.RATING else {"question": q.pk, "text": "Полезно"}
        for q in event.questions.all()
    ]
    client = api(world.school_admin)
    assert (
        client.post("/api/v1/event-feedback/", {"registration": reg.pk, "answers": answers}, format="json").status_code
        == 201
    )
    again = client.post("/api/v1/event-feedback/", {"registration": reg.pk, "answers": answers}, format="json")
    assert again.status_code == 400 and "только один раз" in str(again.json())
    assert FeedbackResponse.objects.count() == 1
    assert len(ids(client.get("/api/v1/event-feedback/"))) == 1
    assert ids(api(world.school_admin2).get("/api/v1/event-feedback/")) == []
    assert (
        api(world.outsider)
        .post("/api/v1/event-feedback/", {"registration": reg.pk, "answers": answers}, format="json")
        .status_code
        == 404
    )


def test_materials_api(world, api):
    Material.objects.create(
        municipality=world.a1, title="Практика по оцениванию", description="О формирующем оценивании."
    )
    Material.objects.create(municipality=world.b1, title="Чужая практика")
    assert len(ids(api(world.school_admin).get("/api/v1/materials/"))) == 1
    assert len(ids(api(world.outsider).get("/api/v1/materials/"))) == 1
    assert (
        api(world.school_admin)
        .post("/api/v1/materials/", {"title": "Моя", "municipality": world.a1.pk, "kind": "practice"}, format="json")
        .status_code
        == 400
    )
    created = api(world.methodist).post(
        "/api/v1/materials/",
        {"title": "Новая практика", "municipality": world.a1.pk, "kind": "practice"},
        format="json",
    )
    assert created.status_code == 201


def test_api_list_query_count(world, api, django_assert_max_num_queries):
    client = api(world.coordinator)
    for i in range(3):
        make_event(world.a1, days=i + 1, title=f"Событие {i}")
    with django_assert_max_num_queries(12) as small:
        client.get("/api/v1/events/")
    for i in range(20):
        make_event(world.a1, days=i + 1, title=f"Ещё {i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/api/v1/events/")
