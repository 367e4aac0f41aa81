"""The scope suite's write cases (issue 13, item 2): every API write of a frozen record, as
each role — frozen means frozen at every door, and what others have signed is never
hard-deleted.

An approved roadmap of school A1-1 with an approved progress report over both its activities,
an approved school document, and a second roadmap under review.  Whoever may write the
school's content (its administrator, the coordinator, the superuser) hears 409 with the
reason; whoever only reads it hears 403; whoever does not see it hears 404.  After each
attempt, nothing has changed."""

import pytest

from roadmaps.models import (
    Activity,
    DocumentStatus,
    Goal,
    Indicator,
    ProgressReport,
    ReportEntry,
    ReportStatus,
    Roadmap,
    RoadmapStatus,
    SchoolDocument,
    Task,
)
from tests.roadmaps.conftest import make_roadmap, to_state

pytestmark = pytest.mark.django_db

WRITERS = ("school_admin", "coordinator", "superuser")
READERS = ("curator", "methodist", "regional")
OUTSIDERS = ("outsider", "coordinator_b1", "school_admin2")


@pytest.fixture
def frozen(world, settings, tmp_path):
    from roadmaps import services

    settings.MEDIA_ROOT = tmp_path
    roadmap = make_roadmap(world.a1_school1)
    activity = roadmap.goals.get().tasks.get().activities.order_by("position").first()
    report = services.progress_report_create(user=world.school_admin, roadmap=roadmap, period_start=roadmap.start_date)
    report = to_state(report, world, "approved")
    assert report.status == ReportStatus.APPROVED and report.entries.count() == 2
    doc = SchoolDocument.objects.create(
        school=world.a1_school1, kind="concept", year=roadmap.year, title="Концепция", status=DocumentStatus.APPROVED
    )
    review = make_roadmap(world.a1_school1, title="На рассмотрении", status=RoadmapStatus.SUBMITTED)
    return {
        "roadmap": roadmap,
        "report": report,
        "goal": roadmap.goals.get(),
        "task": Task.objects.get(goal__roadmap=roadmap),
        "activity": activity,
        "indicator": activity.indicators.first(),
        "doc": doc,
        "review": review,
    }


def state(f) -> tuple:
    """Everything the attempts could have changed."""
    return (
        list(Roadmap.objects.order_by("pk").values_list("pk", "title", "status", "end_date")),
        list(Goal.objects.order_by("pk").values_list("pk", "title")),
        list(Task.objects.order_by("pk").values_list("pk", "title")),
        list(Activity.objects.order_by("pk").values_list("pk", "title", "due_date")),
        list(Indicator.objects.order_by("pk").values_list("pk", "name", "target")),
        list(ProgressReport.objects.order_by("pk").values_list("pk", "status", "version")),
        ReportEntry.objects.filter(report=f["report"]).count(),
        list(SchoolDocument.objects.order_by("pk").values_list("pk", "title", "status")),
    )


def attempts(f):
    """(method, url, body) of every write the audit tried, and their neighbours."""
    a, review_task = f["activity"], Task.objects.get(goal__roadmap=f["review"])
    review_activity = Activity.objects.filter(task=review_task).first()
    return [
        ("patch", f"/api/v1/roadmaps/{f['roadmap'].pk}/", {"title": "Иное", "end_date": "2030-01-01"}),
        ("delete", f"/api/v1/roadmaps/{f['roadmap'].pk}/", None),
        ("patch", f"/api/v1/roadmap-goals/{f['goal'].pk}/", {"title": "Иная цель"}),
        ("delete", f"/api/v1/roadmap-goals/{f['goal'].pk}/", None),
        ("patch", f"/api/v1/roadmap-tasks/{f['task'].pk}/", {"title": "Иная задача"}),
        ("delete", f"/api/v1/roadmap-tasks/{f['task'].pk}/", None),
        ("patch", f"/api/v1/roadmap-activities/{a.pk}/", {"title": "Иное мероприятие"}),
        ("delete", f"/api/v1/roadmap-activities/{a.pk}/", None),
        ("patch", f"/api/v1/roadmap-indicators/{f['indicator'].pk}/", {"target": "10.00"}),
        ("delete", f"/api/v1/roadmap-indicators/{f['indicator'].pk}/", None),
        ("post", "/api/v1/roadmap-indicators/", {"activity": a.pk, "name": "Новый", "unit": "%"}),
        ("patch", f"/api/v1/school-documents/{f['doc'].pk}/", {"title": "Иная концепция"}),
        ("delete", f"/api/v1/school-documents/{f['doc'].pk}/", None),
        ("patch", f"/api/v1/roadmaps/{f['review'].pk}/", {"title": "Иное"}),
        ("delete", f"/api/v1/roadmaps/{f['review'].pk}/", None),
        ("patch", f"/api/v1/roadmap-activities/{review_activity.pk}/", {"title": "Иное"}),
        ("post", "/api/v1/roadmap-activities/", {"task": review_task.pk, "title": "Новое", "position": 9}),
    ]


@pytest.mark.parametrize("role", WRITERS + READERS + OUTSIDERS)
def test_no_api_write_changes_a_frozen_record(world, api, frozen, role):
    before = state(frozen)
    client = api(getattr(world, role))
    for method, url, body in attempts(frozen):
        response = getattr(client, method)(url, body, format="json")
        creating = method == "post"
        if role in WRITERS:
            expected = 409
        elif role in READERS:
            expected = 403  # sees the record (the curator: of the school assigned to them), writes nothing
        else:
            # Sees nothing of it: the object is missing (404), a parent it names is as
            # unknown as a missing one (400, «object does not exist»).
            expected = 400 if creating else 404
        assert response.status_code == expected, (role, method, url, response.status_code, response.content[:300])
        if expected == 409:
            body = response.json()
            assert body["code"] == "frozen" and body["detail"], body
    assert state(frozen) == before


def test_the_reasons_are_said_in_russian(world, api, frozen):
    client = api(world.school_admin)
    answers = {
        f"/api/v1/roadmaps/{frozen['roadmap'].pk}/": "Отправленную или утверждённую дорожную карту изменить нельзя.",
        f"/api/v1/roadmap-activities/{frozen['activity'].pk}/": "Этот пункт входит в отправленный или утверждённый отчёт",
        f"/api/v1/school-documents/{frozen['doc'].pk}/": "Отправленный или утверждённый документ изменить нельзя.",
    }
    for url, text in answers.items():
        response = client.delete(url, HTTP_ACCEPT_LANGUAGE="ru")
        assert response.status_code == 409
        assert response.json()["detail"].startswith(text), response.json()


def test_the_pages_refuse_the_same(world, login, frozen):
    client = login(world.school_admin)
    roadmap, activity = frozen["roadmap"], frozen["activity"]
    before = state(frozen)
    response = client.get(f"/roadmaps/{roadmap.pk}/edit/", follow=True)
    assert response.redirect_chain[-1][0] == roadmap.get_absolute_url()
    assert "Отправленную или утверждённую дорожную карту изменить нельзя." in response.content.decode()
    response = client.post(f"/roadmaps/{roadmap.pk}/edit/", {"title": "Иное"}, follow=True)
    assert "изменить нельзя" in response.content.decode()
    response = client.post(f"/roadmaps/nodes/activity/{activity.pk}/", {"activity-title": "Иное"}, follow=True)
    assert "Этот пункт входит в отправленный или утверждённый отчёт" in response.content.decode()
    response = client.post(f"/roadmaps/nodes/goal/{frozen['goal'].pk}/delete/", follow=True)
    assert "Этот пункт входит в отправленный или утверждённый отчёт" in response.content.decode()
    response = client.get(f"/roadmaps/documents/{frozen['doc'].pk}/edit/", follow=True)
    assert "Отправленный или утверждённый документ изменить нельзя." in response.content.decode()
    assert state(frozen) == before
    # The approved roadmap's page offers no edit of what is frozen.
    page = client.get(roadmap.get_absolute_url()).content.decode()
    assert f"/roadmaps/{roadmap.pk}/edit/" not in page


def test_what_is_not_frozen_still_changes(world, api, frozen):
    """A new activity in the approved plan (the next report speaks about it), and a draft."""
    client = api(world.school_admin)
    task = frozen["task"]
    response = client.post(
        "/api/v1/roadmap-activities/", {"task": task.pk, "title": "Новое мероприятие", "position": 5}, format="json"
    )
    assert response.status_code == 201, response.content
    new = Activity.objects.get(pk=response.json()["id"])
    assert (
        client.patch(f"/api/v1/roadmap-activities/{new.pk}/", {"title": "Уточнено"}, format="json").status_code == 200
    )
    assert client.delete(f"/api/v1/roadmap-activities/{new.pk}/").status_code == 204
    draft = make_roadmap(world.a1_school1, title="Черновик", status=RoadmapStatus.DRAFT)
    assert client.patch(f"/api/v1/roadmaps/{draft.pk}/", {"title": "Черновик 2"}, format="json").status_code == 200
    assert client.delete(f"/api/v1/roadmaps/{draft.pk}/").status_code == 204
