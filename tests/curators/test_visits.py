"""Visits: logging with lessons and recommendations, refusals, the recommendation cycle
(school marks done, curator closes), overdue, last visit's open items, confirmation by the
school head, scoping through pages and API, dashboards, history, query counts."""

import datetime

import pytest
from django.utils import timezone

from curators.models import LessonObservation, Recommendation, RecommendationStatus, Visit
from tests.curators.factories import RecommendationFactory, VisitFactory

TODAY = timezone.localdate


def _visit_post(world, **over):
    today = TODAY()
    data = {
        "school": world.a1_school1.pk,
        "kind": "lessons",
        "date": today.isoformat(),
        "participants": "Директор, завуч",
        "findings": "Уроки структурированы",
        "extracurricular_observed": 0,
        "lessons-TOTAL_FORMS": 1,
        "lessons-INITIAL_FORMS": 0,
        "lessons-0-teacher": "Петрова А. А.",
        "lessons-0-subject": "Математика",
        "lessons-0-grade": 6,
        "lessons-0-rating_goals": 3,
        "lessons-0-rating_methods": 2,
        "lessons-0-rating_assessment": 1,
        "lessons-0-strengths": "Темп",
        "lessons-0-difficulties": "Нет обратной связи",
        "recs-TOTAL_FORMS": 2,
        "recs-INITIAL_FORMS": 0,
        "recs-0-text": "Ввести листы самооценки",
        "recs-0-owner_text": "Учитель математики",
        "recs-0-due_date": (today + datetime.timedelta(days=30)).isoformat(),
        "recs-1-text": "Провести педсовет по оцениванию",
        "recs-1-owner_text": "Директор",
        "recs-1-due_date": (today + datetime.timedelta(days=60)).isoformat(),
    }
    data.update(over)
    return data


def test_curator_logs_visit(world, login):
    c = login(world.curator)
    assert c.get("/curators/visits/new/").status_code == 200
    response = c.post("/curators/visits/new/", _visit_post(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = Visit.objects.get()
    assert visit.curator == world.curator and visit.school == world.a1_school1
    assert LessonObservation.objects.get().rating_assessment == 1
    assert list(visit.recommendations.values_list("status", flat=True)) == ["open", "open"]
    assert c.get(response["Location"]).status_code == 200


def test_visit_in_future_refused(world, login):
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = login(world.curator).post("/curators/visits/new/", _visit_post(world, date=tomorrow))
    assert response.status_code == 200
    assert "Дата визита не может быть в будущем" in response.content.decode()
    assert not Visit.objects.exists() and not Recommendation.objects.exists()


def test_rating_outside_scale_and_missing_owner_refused(world, login):
    response = login(world.curator).post(
        "/curators/visits/new/", _visit_post(world, **{"lessons-0-rating_goals": 5, "recs-1-owner_text": ""})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Выберите корректный вариант" in html
    assert "Укажите ответственного за рекомендацию" in html
    assert not Visit.objects.exists() and not LessonObservation.objects.exists()


@pytest.mark.parametrize("user_attr", ["school_admin", "methodist", "outsider"])
def test_only_curator_of_school_logs(world, login, user_attr):
    response = login(getattr(world, user_attr)).post("/curators/visits/new/", _visit_post(world))
    assert response.status_code in (200, 404)
    assert not Visit.objects.exists()


def test_curator_cannot_log_unassigned_school(world, login):
    response = login(world.curator).post("/curators/visits/new/", _visit_post(world, school=world.a1_school2.pk))
    assert response.status_code == 200
    assert not Visit.objects.exists()


def test_recommendation_cycle_and_overdue(world, login):
    visit = VisitFactory(school=world.a1_school1, curator=world.curator)
    overdue = RecommendationFactory(visit=visit, due_date=TODAY() - datetime.timedelta(days=3))
    fresh = RecommendationFactory(visit=visit)
    assert overdue.is_overdue and overdue.state == "overdue" and not fresh.is_overdue
    rows = login(world.coordinator).get("/curators/recommendations/?state=overdue").context["table"].page.object_list
    assert [r.record for r in rows] == [overdue]
    # The school marks it done; a comment is required.
    school = login(world.school_admin)
    school.post(f"/curators/recommendations/{overdue.pk}/done/", {"comment": ""})
    overdue.refresh_from_db()
    assert overdue.status == RecommendationStatus.OPEN
    school.post(f"/curators/recommendations/{overdue.pk}/done/", {"comment": "Проведён анализ"})
    overdue.refresh_from_db()
    assert overdue.status == RecommendationStatus.DONE and not overdue.is_overdue
    # The school cannot close; the curator can.
    school.post(f"/curators/recommendations/{overdue.pk}/close/")
    overdue.refresh_from_db()
    assert overdue.status == RecommendationStatus.DONE
    login(world.curator).post(f"/curators/recommendations/{overdue.pk}/close/")
    overdue.refresh_from_db()
    assert overdue.status == RecommendationStatus.CLOSED and overdue.closed_by == world.curator
    # Another school sees nothing of it.
    assert (
        login(world.school_admin2).post(f"/curators/recommendations/{fresh.pk}/done/", {"comment": "x"}).status_code
        == 404
    )
    statuses = list(overdue.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["open", "done", "closed"]
    page = login(world.coordinator).get(visit.get_absolute_url()).content.decode()
    assert f"«{overdue.text}»: " in page and "статус: выполнена → закрыта" in page


def test_new_visit_shows_and_closes_last_open(world, login):
    old = VisitFactory(school=world.a1_school1, curator=world.curator, date=TODAY() - datetime.timedelta(days=40))
    rec = RecommendationFactory(visit=old)
    closed = RecommendationFactory(visit=old, status=RecommendationStatus.CLOSED)
    c = login(world.curator)
    page = c.get(f"/curators/visits/new/?school={world.a1_school1.pk}")
    assert page.context["previous"] == [rec]
    assert closed not in page.context["previous"]
    response = c.post("/curators/visits/new/", {**_visit_post(world), "close": [rec.pk]})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.CLOSED


def test_school_head_confirms(world, login):
    visit = VisitFactory(school=world.a1_school1, curator=world.curator)
    login(world.school_admin2).post(f"/curators/visits/{visit.pk}/confirm/")
    login(world.curator).post(f"/curators/visits/{visit.pk}/confirm/")
    visit.refresh_from_db()
    assert visit.confirmed_at is None
    login(world.school_admin).post(f"/curators/visits/{visit.pk}/confirm/")
    visit.refresh_from_db()
    assert visit.confirmed_by == world.school_admin
    page = login(world.coordinator).get(visit.get_absolute_url()).content.decode()
    assert "Подтверждено" in page and "История изменений" in page


@pytest.mark.parametrize(
    "user_attr, visible",
    [
        ("coordinator", {"s1", "s2"}),
        ("methodist", {"s1", "s2"}),
        ("school_admin", {"s1"}),
        ("curator", {"s1"}),
        ("outsider", {"b1"}),
    ],
)
def test_visit_scoping_pages_and_api(world, login, api, user_attr, visible):
    visits = {
        "s1": VisitFactory(school=world.a1_school1, curator=world.curator),
        "s2": VisitFactory(school=world.a1_school2, curator=world.curator),
        "b1": VisitFactory(school=world.b1_school1, curator=world.curator),
    }
    recs = {k: RecommendationFactory(visit=v) for k, v in visits.items()}
    user = getattr(world, user_attr)
    expected = {visits[k].pk for k in visible}
    page = login(user).get("/curators/visits/")
    assert {r.record.pk for r in page.context["table"].page.object_list} == expected
    assert {v["id"] for v in api(user).get("/api/v1/visits/").json()["results"]} == expected
    assert {r["id"] for r in api(user).get("/api/v1/recommendations/").json()["results"]} == {
        recs[k].pk for k in visible
    }
    hidden = next(v for k, v in visits.items() if k not in visible)
    assert login(user).get(hidden.get_absolute_url()).status_code == 404
    assert api(user).get(f"/api/v1/visits/{hidden.pk}/").status_code == 404


def test_visit_api_writes(world, api):
    today = TODAY()
    body = {
        "school": world.a1_school1.pk,
        "kind": "consultation",
        "date": today.isoformat(),
        "lessons": [{"teacher": "Иванова", "subject": "Физика", "grade": 8, "rating_goals": 2}],
        "recommendations": [
            {"text": "Сделать", "owner_text": "Завуч", "due_date": (today + datetime.timedelta(days=5)).isoformat()}
        ],
    }
    r = api(world.curator).post("/api/v1/visits/", body, format="json")
    assert r.status_code == 201, r.content
    visit = Visit.objects.get()
    assert visit.curator == world.curator and visit.recommendations.count() == 1
    future = {**body, "date": (today + datetime.timedelta(days=2)).isoformat()}
    r = api(world.curator).post("/api/v1/visits/", future, format="json")
    assert r.status_code == 400 and "будущем" in r.content.decode()
    assert api(world.school_admin).post("/api/v1/visits/", body, format="json").status_code == 400
    assert Visit.objects.count() == 1
    rec = visit.recommendations.get()
    assert api(world.curator).post(f"/api/v1/recommendations/{rec.pk}/done/", {"comment": "x"}).status_code == 403
    assert (
        api(world.school_admin).post(f"/api/v1/recommendations/{rec.pk}/done/", {"comment": "Сделано"}).status_code
        == 200
    )
    assert api(world.school_admin).post(f"/api/v1/recommendations/{rec.pk}/close/").status_code == 403
    assert api(world.curator).post(f"/api/v1/recommendations/{rec.pk}/close/").json()["status"] == "closed"
    assert api(world.school_admin).post(f"/api/v1/visits/{visit.pk}/confirm/").status_code == 200


def test_dashboards(world, login):
    visit = VisitFactory(school=world.a1_school1, curator=world.curator, date=TODAY() - datetime.timedelta(days=70))
    RecommendationFactory(visit=visit, due_date=TODAY() - datetime.timedelta(days=1))
    home = login(world.curator).get("/")
    html = home.content.decode()
    assert "Мои школы" in html and "СШ № 1" in html and "70" in html
    home = login(world.coordinator).get("/").content.decode()
    assert "просроченных рекомендаций" in home and "Планировщик визитов" in home
    VisitFactory(school=world.a1_school2, curator=world.curator, date=TODAY() - datetime.timedelta(days=5))
    planner = login(world.coordinator).get("/curators/planner/?all=1")
    ranked = [r["school"] for r in planner.context["rows"]]
    # Never visited first, then an overdue item and 70 days without a visit, then a fresh visit.
    assert ranked.index(world.a1_curator_school) < ranked.index(world.a1_school1) < ranked.index(world.a1_school2)
    assert login(world.school_admin).get("/").content.decode().count("Открытые рекомендации куратора") == 1


def test_visit_list_query_count(world, login, django_assert_max_num_queries):
    c = login(world.coordinator)
    for _ in range(3):
        RecommendationFactory(visit=VisitFactory(school=world.a1_school1, curator=world.curator))
    with django_assert_max_num_queries(30) as small:
        c.get("/curators/visits/")
    for _ in range(20):
        RecommendationFactory(visit=VisitFactory(school=world.a1_school2, curator=world.curator))
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/curators/visits/")
    with django_assert_max_num_queries(len(small.captured_queries) + 5):
        c.get("/curators/recommendations/")


def test_curator_edits_until_confirmed(world, login):
    visit = VisitFactory(school=world.a1_school1, curator=world.curator)
    data = {
        "school": world.a1_school1.pk,
        "kind": "consultation",
        "date": visit.date.isoformat(),
        "findings": "Новые выводы",
        "extracurricular_observed": 0,
    }
    assert login(world.school_admin).post(f"/curators/visits/{visit.pk}/edit/", data).status_code == 404
    assert login(world.curator).post(f"/curators/visits/{visit.pk}/edit/", data).status_code == 302
    visit.refresh_from_db()
    assert visit.findings == "Новые выводы"
    future = {**data, "date": (TODAY() + datetime.timedelta(days=3)).isoformat()}
    response = login(world.curator).post(f"/curators/visits/{visit.pk}/edit/", future)
    assert "Дата визита не может быть в будущем" in response.content.decode()
    login(world.school_admin).post(f"/curators/visits/{visit.pk}/confirm/")
    assert login(world.curator).post(f"/curators/visits/{visit.pk}/edit/", data).status_code == 404
    assert "выводы: Выводы → Новые выводы" in login(world.coordinator).get(visit.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "url", ["/curators/planner/?all=1", "/curators/workload/", "/curators/assignments/grid/?all=1", "/"]
)
def test_dashboard_pages_query_count_constant(world, login, django_assert_max_num_queries, url):
    from core.years import current_academic_year
    from curators.models import CuratorAssignment
    from tests.factories import SchoolFactory, UserFactory

    c = login(world.coordinator)
    c.get(url)
    with django_assert_max_num_queries(80) as small:
        c.get(url)
    year = current_academic_year()
    for _ in range(8):
        school = SchoolFactory(municipality=world.a1)
        curator = UserFactory(role="curator", school=world.a1_curator_school)
        CuratorAssignment.objects.create(curator=curator, school=school, year=year)
        RecommendationFactory(visit=VisitFactory(school=school, curator=curator))
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get(url)
