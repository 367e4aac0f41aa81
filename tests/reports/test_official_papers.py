"""The other official papers read back (issue 14.5): the visit protocol, the certificate of
participation with hours and the head's signature, the event programme with agenda times —
the issuer's requisites on top, no system text on the pages (the checksum in the metadata),
nothing past the margins; a certificate without a head in office is refused, not printed."""

import datetime
import re
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from curators.models import LessonObservation, Recommendation, Visit
from events.models import AgendaStep, Registration
from tests.demo.documents import save, words_off_the_page
from tests.events.conftest import make_event

pytestmark = pytest.mark.django_db


def read(content: bytes, tmp_path, *args) -> str:
    path = tmp_path / "p.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def no_system_text(pdf: bytes, tmp_path) -> None:
    text = read(pdf, tmp_path)
    assert "контрольная сумма" not in text and "Данные на" not in text and "стр." not in text
    info = subprocess.run(["pdfinfo", str(tmp_path / "p.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"контрольная сумма [0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", info)
    assert not words_off_the_page(pdf, left_mm=20, right_mm=10)


@pytest.fixture
def visit(world):
    world.a1_school1.director = "Смирнова Елена Петровна"
    world.a1_school1.save()
    world.curator.last_name, world.curator.first_name, world.curator.patronymic = "Фролова", "Елена", "Викторовна"
    world.curator.position = "Заместитель директора по УВР"
    world.curator.save()
    v = Visit.objects.create(
        school=world.a1_school1,
        curator=world.curator,
        kind="lessons",
        date=datetime.date(2026, 10, 21),
        findings="Цели уроков сформулированы, обратная связь эпизодическая.",
    )
    LessonObservation.objects.create(
        visit=v,
        teacher="Иванова О.П.",
        subject="Математика",
        grade=7,
        rating_goals=3,
        rating_methods=2,
        rating_assessment=1,
        strengths="Чёткая постановка цели",
        difficulties="Нет самооценки учеников",
    )
    Recommendation.objects.create(
        visit=v,
        text="Ввести листы самооценки на уроках математики",
        owner_text="Иванова О.П.",
        due_date=datetime.date(2026, 12, 20),
    )
    return v


def test_visit_protocol(world, visit, login, tmp_path):
    response = login(world.coordinator).get(reverse("curators:visit-protocol", args=[visit.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    save("visit-protocol", pdf)
    text = " ".join(read(pdf, tmp_path).split())
    assert text.startswith("Округ А1 Управление образования (Округ А1) СПРАВКА по итогам посещения СШ № 1")
    for expected in (
        "21.10.2026",
        "Фролова Елена Викторовна",
        "Иванова О.П.",
        "Математика, 7 кл.",
        "Уровни по критериям: 1 — не проявлено; 2 — проявлено частично; 3 — проявлено полностью",
        "обратная связь эпизодическая",
        "Ввести листы самооценки",
        "20.12.2026",
        "Е.В. Фролова",
        "Е.П. Смирнова",
        "Со справкой ознакомлен(а): директор",
    ):
        assert expected in text, expected
    no_system_text(pdf, tmp_path)
    # out of scope: absent
    assert login(world.coordinator_b1).get(reverse("curators:visit-protocol", args=[visit.pk])).status_code == 404
    assert (
        reverse("curators:visit-protocol", args=[visit.pk])
        in login(world.coordinator).get(visit.get_absolute_url()).content.decode()
    )


@pytest.fixture
def held(world):
    ev = make_event(
        world.a1, days=-3, hours=3, title="Читательская грамотность", organisers_note="Управление образования, ЦДО"
    )
    ev.goal = "Обсудить приёмы смыслового чтения."
    ev.tasks = "Показать приёмы\nСоставить план"
    ev.expected_results = "Банк приёмов"
    ev.hours = 4
    ev.save()
    AgendaStep.objects.create(event=ev, position=1, title="Открытие", duration_minutes=15, lead="Белова М.И.")
    AgendaStep.objects.create(event=ev, position=2, title="Мастер-класс", duration_minutes=45, lead="Иванова О.П.")
    reg = Registration.objects.create(
        event=ev, school=world.a1_school1, full_name="Петрова Анна Сергеевна", position="учитель", attended=True
    )
    return ev, reg


def test_certificate_with_hours_and_the_heads_signature(world, held, login, tmp_path):
    ev, reg = held
    response = login(world.coordinator).get(reverse("events:registration-certificate", args=[reg.pk]))
    assert response.status_code == 200
    save("certificate", response.content)
    text = " ".join(read(response.content, tmp_path).split())
    assert text.startswith("Округ А1 Управление образования (Округ А1) СЕРТИФИКАТ")
    assert "Петрова Анна Сергеевна" in text and "Читательская грамотность" in text
    assert f"{timezone.localtime(ev.start):%d.%m.%Y}" in text
    assert "в объёме 4 часов" in text
    assert "Начальник Управления образования" in text and "И.П. Руководова" in text
    no_system_text(response.content, tmp_path)
    ev.hours = None
    ev.save()
    text = read(
        login(world.coordinator).get(reverse("events:registration-certificate", args=[reg.pk])).content, tmp_path
    )
    assert "в объёме 3 часов" in " ".join(text.split())  # the event's length


def test_certificate_refused_without_a_head(world, held, login):
    _ev, reg = held
    world.a1.heads.all().delete()
    response = login(world.coordinator).get(reverse("events:registration-certificate", args=[reg.pk]), follow=True)
    assert response.redirect_chain and response["Content-Type"].startswith("text/html")
    assert "не назначен руководитель органа управления образованием" in response.content.decode()


def test_event_programme_with_agenda_times(world, held, login, tmp_path):
    ev, _reg = held
    response = login(world.coordinator).get(reverse("events:event-programme", args=[ev.pk]))
    assert response.status_code == 200
    save("event-programme", response.content)
    text = " ".join(read(response.content, tmp_path).split())
    start = timezone.localtime(ev.start)
    t1 = start + datetime.timedelta(minutes=15)
    t2 = t1 + datetime.timedelta(minutes=45)
    assert "ПРОГРАММА Семинар «Читательская грамотность»" in text
    assert f"{start:%H:%M}–{t1:%H:%M} Открытие" in text
    assert f"{t1:%H:%M}–{t2:%H:%M} Мастер-класс" in text
    for expected in (
        "Управление образования, ЦДО",
        "Обсудить приёмы смыслового чтения.",
        "Показать приёмы",
        "Банк приёмов",
    ):
        assert expected in text, expected
    no_system_text(response.content, tmp_path)
