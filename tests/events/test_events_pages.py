"""Event pages by role: list scope, query counts, create/edit rights, bad input, copy, attendance."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from events.models import AgendaStep, Event, EventMaterial, FeedbackQuestion, Registration
from tests.events.conftest import make_event

pytestmark = pytest.mark.django_db

LIST = "/events/"


def titles(response):
    return sorted(r.record.title for r in response.context["table"].page.object_list)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("superuser", ["Квест-игра «ВСОКО»", "Круглый стол «ВСОКО: механизмы»", "Семинар в округе Б1"]),
        ("regional", ["Квест-игра «ВСОКО»", "Круглый стол «ВСОКО: механизмы»"]),
        ("coordinator", ["Квест-игра «ВСОКО»", "Круглый стол «ВСОКО: механизмы»"]),
        ("coordinator_a2", []),
        ("methodist", ["Квест-игра «ВСОКО»", "Круглый стол «ВСОКО: механизмы»"]),
        ("school_admin", ["Квест-игра «ВСОКО»", "Круглый стол «ВСОКО: механизмы»"]),
        ("outsider", ["Семинар в округе Б1"]),
        ("no_role", []),
    ],
)
def test_list_follows_scope(world, ev, login, who, expected):
    response = login(getattr(world, who)).get(LIST)
    assert response.status_code == 200
    assert titles(response) == expected


def test_detail_scope(world, ev, login):
    assert login(world.school_admin).get(f"/events/{ev.upcoming.pk}/").status_code == 200
    assert login(world.outsider).get(f"/events/{ev.upcoming.pk}/").status_code == 404
    assert login(world.coordinator_a2).get(f"/events/{ev.upcoming.pk}/").status_code == 404


def test_list_query_count_constant(world, login, django_assert_max_num_queries):
    client = login(world.coordinator)
    for i in range(3):
        make_event(world.a1, days=i + 1, host_school=world.a1_school1, title=f"Событие {i}")
    with django_assert_max_num_queries(12) as small:
        client.get(LIST)
    for i in range(30):
        make_event(world.a1, days=i + 1, host_school=world.a1_school2, title=f"Ещё событие {i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(LIST)


def test_bank_query_count_constant(world, login, django_assert_max_num_queries):
    from events.models import Material, Theme

    client = login(world.school_admin)
    theme = Theme.objects.first()
    for i in range(2):
        Material.objects.create(municipality=world.a1, title=f"Практика {i}").themes.add(theme)
    with django_assert_max_num_queries(14) as small:
        client.get("/events/bank/")
    for i in range(25):
        Material.objects.create(municipality=world.a1, school=world.a1_school1, title=f"Ещё {i}").themes.add(theme)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/events/bank/")


def form_data(world, **over):
    start = timezone.localtime() + datetime.timedelta(days=10)
    data = {
        "municipality": world.a1.pk,
        "format": "master_class",
        "title": "Мастер-класс «Путь к успеху!»",
        "status": "planned",
        "host_school": world.a1_school1.pk,
        "audience_kind": "teachers",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "25",
        "goal": "Показать приёмы мотивации",
    }
    data.update(over)
    return data


@pytest.mark.parametrize(
    ("who", "status"), [("methodist", 302), ("coordinator", 302), ("school_admin", 404), ("curator", 404)]
)
def test_create_rights(world, login, who, status):
    response = login(getattr(world, who)).post("/events/new/", form_data(world))
    assert response.status_code == status
    assert Event.objects.filter(title="Мастер-класс «Путь к успеху!»").exists() == (status == 302)


def test_created_event_gets_default_questions(world, login):
    login(world.methodist).post("/events/new/", form_data(world))
    event = Event.objects.get(title="Мастер-класс «Путь к успеху!»")
    assert FeedbackQuestion.objects.filter(event=event).count() == 5
    assert event.created_by == world.methodist


def test_event_ending_before_start_is_refused(world, login):
    data = form_data(world)
    data["end"] = data["start"].replace("T", "T").rsplit("T", 1)[0] + "T00:00"
    response = login(world.methodist).post("/events/new/", data)
    assert response.status_code == 200
    assert "Мероприятие должно закончиться позже, чем начаться." in response.content.decode()
    assert "Мастер-класс «Путь к успеху!»" in response.content.decode()  # the input is kept
    assert not Event.objects.exists()


def test_host_school_of_other_municipality_refused(world, login):
    response = login(world.coordinator).post("/events/new/", form_data(world, host_school=world.a2_school1.pk))
    assert "Выберите корректный вариант" in response.content.decode()
    assert not Event.objects.exists()


def test_edit_rights(world, ev, login):
    url = f"/events/{ev.upcoming.pk}/edit/"
    assert login(world.methodist).get(url).status_code == 200
    assert login(world.school_admin).get(url).status_code == 404
    assert login(world.coordinator_a2).get(url).status_code == 404


def test_copy_from_template(world, ev, login):
    AgendaStep.objects.create(event=ev.past, position=1, title="Организационный момент", duration_minutes=10)
    ev.past.goal, ev.past.results = "Цель", "Итоги прошлого раза"
    ev.past.save()
    start = timezone.localtime() + datetime.timedelta(days=30)
    response = login(world.methodist).post(
        f"/events/{ev.past.pk}/copy/",
        {
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    copy = Event.objects.exclude(pk__in=[ev.past.pk, ev.upcoming.pk, ev.other.pk]).get()
    assert copy.title == ev.past.title and copy.goal == "Цель" and copy.results == ""
    assert list(copy.agenda.values_list("title", flat=True)) == ["Организационный момент"]
    assert copy.questions.count() == ev.past.questions.count()
    assert login(world.school_admin).get(f"/events/{ev.past.pk}/copy/").status_code == 404


def test_copy_with_bad_dates(world, ev, login):
    start = timezone.localtime() + datetime.timedelta(days=30)
    response = login(world.methodist).post(
        f"/events/{ev.past.pk}/copy/",
        {
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert "Мероприятие должно закончиться позже, чем начаться." in response.content.decode()
    assert Event.objects.count() == 3


def test_event_material_wrong_type_refused(world, ev, login):
    client = login(world.methodist)
    exe = SimpleUploadedFile("programme.exe", b"MZ\x90\x00binary", content_type="application/octet-stream")
    response = client.post(f"/events/{ev.upcoming.pk}/materials/", {"title": "Программа", "file": exe}, follow=True)
    assert "Неподдерживаемый тип файла" in response.content.decode()
    fake = SimpleUploadedFile("programme.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(f"/events/{ev.upcoming.pk}/materials/", {"title": "Программа", "file": fake}, follow=True)
    assert "не соответствует" in response.content.decode()
    assert not EventMaterial.objects.exists()
    ok = SimpleUploadedFile("programme.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    client.post(f"/events/{ev.upcoming.pk}/materials/", {"title": "Программа", "file": ok})
    assert EventMaterial.objects.filter(event=ev.upcoming).count() == 1


def test_material_too_large_refused(world, login, settings):
    settings.UPLOAD_MAX_BYTES = 10
    pdf = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"x" * 100, content_type="application/pdf")
    response = login(world.methodist).post(
        "/events/bank/new/", {"kind": "practice", "title": "Большой файл", "municipality": world.a1.pk, "file": pdf}
    )
    assert "слишком большой" in response.content.decode()
    from events.models import Material

    assert not Material.objects.exists()


# --- Attendance -------------------------------------------------------------------------------


def test_attendance_htmx_toggle(world, ev, login):
    reg = Registration.objects.create(event=ev.past, school=world.a1_school1, full_name="Иванова Анна")
    client = login(world.methodist)
    response = client.post(f"/events/registrations/{reg.pk}/attendance/", {"attended": "on"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="reg-{reg.pk}"' in response.content.decode()
    reg.refresh_from_db()
    assert reg.attended
    client.post(f"/events/registrations/{reg.pk}/attendance/", {})
    reg.refresh_from_db()
    assert not reg.attended
    assert (
        login(world.school_admin).post(f"/events/registrations/{reg.pk}/attendance/", {"attended": "on"}).status_code
        == 404
    )


def test_attendance_not_before_the_day(world, ev, login):
    reg = Registration.objects.create(event=ev.upcoming, school=world.a1_school1, full_name="Иванова Анна")
    response = login(world.methodist).post(f"/events/registrations/{reg.pk}/attendance/", {"attended": "on"})
    assert "со дня мероприятия" in response.content.decode()
    reg.refresh_from_db()
    assert not reg.attended


def test_attendance_from_printed_list(world, ev, login):
    a = Registration.objects.create(event=ev.past, school=world.a1_school1, full_name="Иванова Анна")
    b = Registration.objects.create(event=ev.past, school=world.a1_school2, full_name="Петрова Мария", attended=True)
    client = login(world.methodist)
    sheet = load_workbook(io.BytesIO(client.get(f"/events/{ev.past.pk}/attendance.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "ID" and {r[0] for r in rows[1:]} == {a.pk, b.pk}
    wb = Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    ws.append([a.pk, "Иванова Анна", "СШ № 1", "", "+"])
    ws.append([b.pk, "Петрова Мария", "СШ № 2", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    upload = SimpleUploadedFile("list.xlsx", buf.getvalue())
    response = client.post(f"/events/{ev.past.pk}/attendance/", {"file": upload}, follow=True)
    assert "присутствуют: 1" in response.content.decode()
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.attended and not b.attended


def test_attendance_list_with_unknown_id_changes_nothing(world, ev, login):
    a = Registration.objects.create(event=ev.past, school=world.a1_school1, full_name="Иванова Анна")
    wb = Workbook()
    ws = wb.active
    ws.append(["ID", "ФИО", "Школа", "Должность", "Присутствовал(а)"])
    ws.append([a.pk, "Иванова Анна", "СШ № 1", "", "+"])
    ws.append([999999, "Некто", "СШ № 9", "", "+"])
    buf = io.BytesIO()
    wb.save(buf)
    response = login(world.methodist).post(
        f"/events/{ev.past.pk}/attendance/", {"file": SimpleUploadedFile("list.xlsx", buf.getvalue())}
    )
    assert "Строка 3" in response.content.decode()
    a.refresh_from_db()
    assert not a.attended


def test_agenda_steps_are_edited_and_reordered_in_place(world, ev, login):
    event = ev.upcoming
    first = AgendaStep.objects.create(event=event, position=1, title="Организационный момент")
    second = AgendaStep.objects.create(event=event, position=2, title="Работа в группах")
    third = AgendaStep.objects.create(event=event, position=3, title="Рефлексия")
    client = login(world.methodist)
    page = client.get(event.get_absolute_url()).content.decode()
    assert f'name="step{second.pk}-title"' in page and "Изменить шаг" in page
    url = f"/events/{event.pk}/agenda/{second.pk}/"
    response = client.post(
        url + "edit/",
        {f"step{second.pk}-title": "Работа в группах по кейсам", f"step{second.pk}-duration_minutes": "40"},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.title, second.duration_minutes) == ("Работа в группах по кейсам", 40)
    # bad input: a clear message, the saved step unchanged
    response = client.post(url + "edit/", {f"step{second.pk}-title": "", f"step{second.pk}-duration_minutes": "900"})
    second.refresh_from_db()
    assert second.title == "Работа в группах по кейсам"
    messages = [str(m) for m in client.get(event.get_absolute_url()).context["messages"]]
    assert any("Длительность, мин: " in m and "600" in m and "Этап: " in m for m in messages), messages
    # move up, then the first cannot move further up
    client.post(url + "move/", {"direction": "up"})
    client.post(f"/events/{event.pk}/agenda/{second.pk}/move/", {"direction": "up"})
    assert list(event.agenda.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk, third.pk]


def test_agenda_edit_needs_the_right_to_run_the_event(world, ev, login):
    step = AgendaStep.objects.create(event=ev.upcoming, position=1, title="Организационный момент")
    for who in ("school_admin", "curator", "outsider"):
        client = login(getattr(world, who))
        response = client.post(f"/events/{ev.upcoming.pk}/agenda/{step.pk}/edit/", {f"step{step.pk}-title": "Чужое"})
        assert response.status_code == 404, who
        assert client.post(f"/events/{ev.upcoming.pk}/agenda/{step.pk}/move/", {"direction": "up"}).status_code == 404
    step.refresh_from_db()
    assert step.title == "Организационный момент"


def test_a_long_audience_is_shortened_in_the_list_and_whole_in_the_xlsx(world, login):
    audience = "Управленческие команды школ Каменск-Уральского городского округа (ШНОР, участники проекта «500+»)"
    make_event(world.a1, title="Семинар для команд", audience=audience)
    c = login(world.coordinator)
    html = c.get(LIST).content.decode()
    assert f'<span title="{audience}">' in html
    assert "Управленческие команды школ Каменск-Уральского городского…" in html
    book = load_workbook(io.BytesIO(c.get(LIST, {"export": "xlsx"}).content))
    assert audience in [cell.value for row in book.active.iter_rows() for cell in row]
