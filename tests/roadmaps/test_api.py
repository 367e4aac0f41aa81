"""REST API: scoped lists and details, writes by role, workflow actions."""

import pytest

from roadmaps.models import Activity, ReportStatus, Roadmap

from .conftest import fill, make_roadmap, to_state

BASE = "/api/v1"


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("school_admin", True),
        ("curator", True),
        ("coordinator", True),
        ("methodist", True),
        ("school_admin2", False),
        ("coordinator_a2", False),
        ("outsider", False),
    ],
)
def test_lists_and_details_are_scoped(plan, world, api, who, visible):
    client = api(getattr(world, who))
    activity = Activity.objects.filter(task__goal__roadmap=plan.roadmap).first()
    for path, pk in (
        ("roadmaps", plan.roadmap.pk),
        ("progress-reports", plan.report.pk),
        ("roadmap-activities", activity.pk),
        ("roadmap-indicators", activity.indicators.get().pk),
    ):
        listed = client.get(f"{BASE}/{path}/")
        assert listed.status_code == 200
        assert (pk in [row["id"] for row in listed.json()["results"]]) == visible, path
        assert client.get(f"{BASE}/{path}/{pk}/").status_code == (200 if visible else 404)


def test_anonymous_is_refused(plan, api):
    assert api().get(f"{BASE}/roadmaps/").status_code in (401, 403)


def test_same_filters_as_the_pages(plan, world, api):
    other = make_roadmap(world.a1_school2, title="Другая")
    client = api(world.coordinator)
    rows = client.get(f"{BASE}/roadmaps/", {"school": world.a1_school2.pk}).json()["results"]
    assert [r["id"] for r in rows] == [other.pk]
    rows = client.get(f"{BASE}/progress-reports/", {"status": "draft"}).json()["results"]
    assert [r["id"] for r in rows] == [plan.report.pk]
    rows = client.get(f"{BASE}/roadmap-activities/", {"roadmap": other.pk}).json()["results"]
    assert len(rows) == 2


def test_activity_writes_by_role_and_dates_checked(plan, world, api):
    task = plan.roadmap.goals.get().tasks.get()
    body = {"task": task.pk, "title": "Через API", "responsible_name": "Иванов", "due_date": "2040-01-01"}
    bad = api(world.school_admin).post(f"{BASE}/roadmap-activities/", body, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["due_date"][0].startswith("Срок должен входить в период дорожной карты")
    body["due_date"] = plan.roadmap.end_date.isoformat()
    assert api(world.school_admin).post(f"{BASE}/roadmap-activities/", body, format="json").status_code == 201
    # A curator sees the roadmap but may not write; another school's admin does not see it:
    # the foreign task is as unknown as a missing one (400, the same message; issue 13.9).
    assert api(world.curator).post(f"{BASE}/roadmap-activities/", body, format="json").status_code == 403
    foreign = api(world.school_admin2).post(f"{BASE}/roadmap-activities/", body, format="json")
    missing = api(world.school_admin2).post(f"{BASE}/roadmap-activities/", {**body, "task": 10**9}, format="json")
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["errors"]["task"] == [
        m.replace(str(10**9), str(task.pk)) for m in missing.json()["errors"]["task"]
    ]
    activity = Activity.objects.get(title="Через API")
    assert (
        api(world.curator).patch(f"{BASE}/roadmap-activities/{activity.pk}/", {"title": "x"}, format="json").status_code
        == 403
    )
    assert (
        api(world.outsider)
        .patch(f"{BASE}/roadmap-activities/{activity.pk}/", {"title": "x"}, format="json")
        .status_code
        == 404
    )


def test_roadmap_create_scoped(world, api):
    body = {
        "school": world.a1_school2.pk,
        "title": "Новая",
        "year": 2026,
        "start_date": "2026-09-01",
        "end_date": "2027-08-31",
    }
    assert api(world.school_admin).post(f"{BASE}/roadmaps/", body, format="json").status_code == 400
    assert api(world.school_admin2).post(f"{BASE}/roadmaps/", body, format="json").status_code == 201
    assert Roadmap.objects.filter(title="Новая").count() == 1


def test_report_workflow_through_actions(plan, world, api):
    url = f"{BASE}/progress-reports/{plan.report.pk}"
    fill(plan.report, world.school_admin, value=None)
    plan.report.refresh_from_db()
    missing = api(world.school_admin).post(f"{url}/submit/")
    assert missing.status_code == 400
    assert len(missing.json()["errors"]["non_field_errors"]) == 2
    plan.report.refresh_from_db()
    fill(plan.report, world.school_admin)
    assert api(world.curator).post(f"{url}/submit/").status_code == 403
    assert api(world.school_admin).post(f"{url}/submit/").json()["status"] == "submitted"
    assert api(world.school_admin).post(f"{url}/approve/").status_code == 403
    entry = plan.report.entries.first()
    returned = api(world.curator).post(
        f"{url}/return/", {"reason": "Нет подтверждений", "comments": {str(entry.pk): "Приложите файл"}}, format="json"
    )
    assert returned.json()["status"] == "returned"
    entry.refresh_from_db()
    assert entry.curator_comment == "Приложите файл"
    api(world.school_admin).post(f"{url}/submit/")
    assert api(world.curator).post(f"{url}/accept/", {}, format="json").json()["status"] == "accepted"
    assert api(world.coordinator_a2).post(f"{url}/approve/").status_code == 404
    assert api(world.coordinator).post(f"{url}/approve/").json()["status"] == "approved"
    doc = api(world.curator).get(f"{url}/document/").json()
    assert doc["goals"][0]["tasks"][0]["activities"][0]["indicators"][0]["actual"] == 35.0
    assert api(world.outsider).post(f"{url}/submit/").status_code == 404


def test_report_create_through_api(world, api):
    roadmap = make_roadmap(world.a1_school1)
    body = {"roadmap": roadmap.pk, "period_start": roadmap.start_date.isoformat()}
    assert api(world.curator).post(f"{BASE}/progress-reports/", body, format="json").status_code == 400
    created = api(world.school_admin).post(f"{BASE}/progress-reports/", body, format="json")
    assert created.status_code == 201 and created.json()["status"] == ReportStatus.DRAFT
    again = api(world.school_admin).post(f"{BASE}/progress-reports/", body, format="json")
    assert again.status_code == 400
    assert again.json()["errors"]["non_field_errors"] == ["Отчёт за этот период уже создан."]


def test_school_documents_api(world, api):
    from roadmaps.models import SchoolDocument

    body = {"school": world.a1_school1.pk, "kind": "concept", "year": 2026, "title": "Концепция"}
    assert api(world.curator).post(f"{BASE}/school-documents/", body, format="json").status_code == 400
    created = api(world.school_admin).post(f"{BASE}/school-documents/", body, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api(world.outsider).get(f"{BASE}/school-documents/{pk}/").status_code == 404
    refused = api(world.school_admin).post(f"{BASE}/school-documents/{pk}/submit/")
    assert refused.status_code == 400
    assert SchoolDocument.objects.get(pk=pk).status == "draft"


def test_approved_report_cannot_be_changed_via_api(plan, world, api):
    report = to_state(plan.report, world, "approved")
    url = f"{BASE}/progress-reports/{report.pk}"
    assert api(world.school_admin).post(f"{url}/submit/").status_code == 400
    assert api(world.school_admin).patch(f"{url}/", {"status": "draft"}, format="json").status_code == 405
    assert api(world.coordinator).post(f"{url}/return/", {"reason": "x"}, format="json").status_code == 400


def test_school_saves_actuals_through_api_with_optimistic_lock(plan, world, api):
    url = f"{BASE}/progress-reports/{plan.report.pk}/save/"
    entries = []
    for entry in plan.report.entries.select_related("activity"):
        ind = entry.activity.indicators.get()
        entries.append({"id": entry.pk, "status": "in_progress", "actuals": {str(ind.pk): "44.5"}})
    body = {"version": plan.report.version, "entries": entries}
    assert api(world.curator).post(url, body, format="json").status_code == 403
    assert api(world.outsider).post(url, body, format="json").status_code == 404
    saved = api(world.school_admin).post(url, body, format="json")
    assert saved.status_code == 200 and saved.json()["version"] == plan.report.version + 1
    stale = api(world.coordinator).post(url, body, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale" and stale.json()["version"] == plan.report.version + 1
    bad = dict(body, version=saved.json()["version"])
    bad["entries"] = [dict(entries[0], status="cancelled")]
    refused = api(world.school_admin).post(url, bad, format="json")
    assert refused.status_code == 400
    assert "Укажите причину отмены мероприятия." in str(refused.json()["errors"]["entries"])
    doc = api(world.school_admin).get(f"{BASE}/progress-reports/{plan.report.pk}/document/").json()
    assert [i["actual"] for a in doc["goals"][0]["tasks"][0]["activities"] for i in a["indicators"]] == [44.5, 44.5]


def test_activity_responsible_person_is_one_of_the_schools_people(plan, world, api):
    """The responsible person named over the API is one the writer may name
    (scoping.roadmap_people): another municipality's school administrator is as unknown as a
    missing user; the school's own staff is accepted."""
    task = plan.roadmap.goals.get().tasks.get()
    body = {"task": task.pk, "title": "Ответственный", "due_date": plan.roadmap.end_date.isoformat()}
    client = api(world.school_admin)
    foreign = client.post(f"{BASE}/roadmap-activities/", {**body, "responsible_user": world.outsider.pk}, format="json")
    assert foreign.status_code == 400
    assert "responsible_user" in foreign.json()["errors"]
    own = client.post(f"{BASE}/roadmap-activities/", {**body, "responsible_user": world.school_admin.pk}, format="json")
    assert own.status_code == 201, own.content.decode()
    assert own.json()["responsible_user"] == world.school_admin.pk
