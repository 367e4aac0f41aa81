"""Reflection sheets: once per participant, Russian refusal, summary with charts."""

import pytest
from django.core.exceptions import ValidationError

from events.models import FeedbackAnswer, FeedbackResponse, QuestionKind
from events.services import Person, feedback_submit, registrations_create
from tests.events.conftest import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(world):
    return make_event(world.a1, days=-0.05, hours=3, host_school=world.a1_school1, title="Деловая игра")


def answers_for(event, rating=5):
    return {q.pk: (rating if q.kind == QuestionKind.RATING else "Полезно") for q in event.questions.all()}


def register(world, event, name="Иванова Анна"):
    return registrations_create(user=world.school_admin, event=event, school=world.a1_school1, people=[Person(name)])[0]


def test_one_feedback_per_participant(world, started):
    reg = register(world, started)
    feedback_submit(user=world.school_admin, registration=reg, answers=answers_for(started, 4))
    with pytest.raises(ValidationError) as exc:
        feedback_submit(user=world.school_admin, registration=reg, answers=answers_for(started, 1))
    assert "уже отправлен" in exc.value.messages[0]
    assert FeedbackResponse.objects.count() == 1
    assert set(FeedbackAnswer.objects.filter(rating__isnull=False).values_list("rating", flat=True)) == {4}


def test_rating_out_of_range_refused(world, started):
    reg = register(world, started)
    bad = answers_for(started)
    bad[started.questions.filter(kind=QuestionKind.RATING).first().pk] = 9
    with pytest.raises(ValidationError) as exc:
        feedback_submit(user=world.school_admin, registration=reg, answers=bad)
    assert "от 1 до 5" in exc.value.messages[0]
    assert not FeedbackResponse.objects.exists()


def test_feedback_page_once_and_summary_chart(world, started, login):
    reg = register(world, started)
    client = login(world.school_admin)
    url = f"/events/registrations/{reg.pk}/feedback/"
    data = {
        f"q{q.pk}": ("5" if q.kind == QuestionKind.RATING else "Возьмём приёмы в работу")
        for q in started.questions.all()
    }
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and "Возьмём приёмы в работу" in page
    assert response.context["feedback"]["responses"] == 1
    # A second sheet is refused with a Russian message; the first stays as it was.
    response = client.post(url, {k: "1" if v == "5" else "другое" for k, v in data.items()})
    assert "можно отправить только один раз" in response.content.decode()
    assert FeedbackResponse.objects.count() == 1
    assert not FeedbackAnswer.objects.filter(rating=1).exists()


def test_feedback_page_missing_rating(world, started, login):
    reg = register(world, started)
    response = login(world.school_admin).post(f"/events/registrations/{reg.pk}/feedback/", {})
    assert "Выберите оценку от 1 до 5" in response.content.decode()
    assert not FeedbackResponse.objects.exists()


def test_other_school_cannot_give_feedback(world, started, login):
    reg = register(world, started)
    assert login(world.school_admin2).get(f"/events/registrations/{reg.pk}/feedback/").status_code == 404
    assert login(world.outsider).get(f"/events/registrations/{reg.pk}/feedback/").status_code == 404


def test_questions_configurable_until_first_answer(world, started, login):
    client = login(world.methodist)
    url = f"/events/{started.pk}/questions/"
    response = client.post(url, {"ratings": "Полезность\nОрганизация", "texts": "Что взять в работу?"})
    assert response.status_code == 302
    assert list(started.questions.values_list("kind", "text")) == [
        ("rating", "Полезность"),
        ("rating", "Организация"),
        ("text", "Что взять в работу?"),
    ]
    assert login(world.school_admin).get(url).status_code == 404
    reg = register(world, started)
    feedback_submit(user=world.school_admin, registration=reg, answers=answers_for(started))
    client = login(world.methodist)
    response = client.post(url, {"ratings": "Другое", "texts": ""})
    assert "После первых ответов вопросы менять нельзя." in response.content.decode()
    assert started.questions.count() == 3


def test_registered_colleague_with_account_gives_own_feedback(world, started, login):
    from tests.factories import UserFactory

    teacher = UserFactory(
        username="teacher1", role="", school=world.a1_school1, last_name="Смирнова", first_name="Ольга", patronymic=""
    )
    reg = register(world, started, name="Смирнова Ольга")
    assert reg.user == teacher
    response = login(teacher).get(f"/events/registrations/{reg.pk}/feedback/")
    assert response.status_code == 200
