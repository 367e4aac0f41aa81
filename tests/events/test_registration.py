"""Registration: scope, capacity and waiting list, deadline — through the services and the pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from events.models import Registration, RegistrationStatus
from events.services import Person, registration_cancel, registrations_create

pytestmark = pytest.mark.django_db


def people(*names):
    return [Person(n, "учитель") for n in names]


def test_capacity_fills_then_waiting_list_then_promotion(world, ev):
    ev.upcoming.capacity = 2
    ev.upcoming.save()
    regs = registrations_create(
        user=world.coordinator,
        event=ev.upcoming,
        school=world.a1_school1,
        people=people("Иванова Анна", "Петрова Мария", "Сидорова Ольга"),
    )
    assert [r.status for r in regs] == ["registered", "registered", "waitlisted"]
    late = registrations_create(
        user=world.coordinator, event=ev.upcoming, school=world.a1_school2, people=people("Кузнецова Инна")
    )[0]
    assert late.status == RegistrationStatus.WAITLISTED

    promoted = registration_cancel(user=world.school_admin, registration=regs[0])
    regs[0].refresh_from_db()
    assert regs[0].status == RegistrationStatus.CANCELLED
    assert promoted.pk == regs[2].pk  # the first on the list, not the later one
    assert Registration.objects.get(pk=regs[2].pk).status == RegistrationStatus.REGISTERED
    assert Registration.objects.get(pk=late.pk).status == RegistrationStatus.WAITLISTED
    # Cancelling someone on the waiting list promotes nobody.
    assert registration_cancel(user=world.coordinator, registration=late) is None


def test_school_admin_registers_only_own_staff(world, ev):
    (reg,) = registrations_create(
        user=world.school_admin, event=ev.upcoming, school=world.a1_school1, people=people("Иванова Анна")
    )
    assert reg.school == world.a1_school1 and reg.registered_by == world.school_admin
    with pytest.raises(ValidationError) as exc:
        registrations_create(
            user=world.school_admin, event=ev.upcoming, school=world.a1_school2, people=people("Петрова Мария")
        )
    assert "только сотрудников своей школы" in exc.value.messages[0]
    assert Registration.objects.count() == 1


def test_methodist_and_coordinator_register_anyone_in_scope(world, ev):
    registrations_create(
        user=world.methodist, event=ev.upcoming, school=world.a1_school2, people=people("Петрова Мария")
    )
    registrations_create(
        user=world.coordinator, event=ev.upcoming, school=world.a1_curator_school, people=people("Орлова Вера")
    )
    with pytest.raises(ValidationError):
        registrations_create(
            user=world.coordinator, event=ev.upcoming, school=world.b1_school1, people=people("Чужая Анна")
        )
    assert Registration.objects.filter(event=ev.upcoming).count() == 2


def test_outsider_cannot_register_for_invisible_event(world, ev):
    with pytest.raises(PermissionDenied):
        registrations_create(
            user=world.outsider, event=ev.upcoming, school=world.b1_school1, people=people("Чужая Анна")
        )


def test_deadline_and_duplicates_refused_in_russian(world, ev):
    registrations_create(
        user=world.school_admin, event=ev.upcoming, school=world.a1_school1, people=people("Иванова Анна")
    )
    with pytest.raises(ValidationError) as exc:
        registrations_create(
            user=world.school_admin, event=ev.upcoming, school=world.a1_school1, people=people("иванова  анна")
        )
    assert "уже зарегистрирован" in exc.value.messages[0]
    ev.upcoming.registration_deadline = timezone.now() - datetime.timedelta(hours=1)
    ev.upcoming.save()
    with pytest.raises(ValidationError) as exc:
        registrations_create(
            user=world.school_admin, event=ev.upcoming, school=world.a1_school1, people=people("Петрова Мария")
        )
    assert "Регистрация закрыта" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        registrations_create(
            user=world.school_admin, event=ev.past, school=world.a1_school1, people=people("Петрова Мария")
        )
    assert "завершилось" in exc.value.messages[0]
    assert Registration.objects.count() == 1


# --- Through the page -----------------------------------------------------------------------


def test_page_registers_two_teachers(world, ev, login):
    client = login(world.school_admin)
    response = client.post(
        ev.upcoming.get_absolute_url(),
        {"school": world.a1_school1.pk, "people": "Иванова Анна Сергеевна, учитель математики\nПетрова Мария, учитель"},
        follow=True,
    )
    assert response.status_code == 200
    names = sorted(Registration.objects.filter(event=ev.upcoming).values_list("full_name", flat=True))
    assert names == ["Иванова Анна Сергеевна", "Петрова Мария"]
    assert "Зарегистрировано: 2" in response.content.decode()


def test_page_refuses_other_school_id_and_keeps_input(world, ev, login):
    client = login(world.school_admin)
    response = client.post(
        ev.upcoming.get_absolute_url(), {"school": world.a1_school2.pk, "people": "Петрова Мария, учитель"}
    )
    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.content.decode()
    assert "Петрова Мария, учитель" in response.content.decode()  # nothing the user typed is lost
    assert not Registration.objects.exists()


def test_page_beyond_capacity_puts_on_waiting_list_with_message(world, ev, login):
    ev.upcoming.capacity = 1
    ev.upcoming.save()
    response = login(world.school_admin).post(
        ev.upcoming.get_absolute_url(),
        {"school": world.a1_school1.pk, "people": "Иванова Анна\nПетрова Мария"},
        follow=True,
    )
    text = response.content.decode()
    assert "Свободных мест нет" in text and "Петрова Мария" in text
    assert Registration.objects.get(full_name="Петрова Мария").status == RegistrationStatus.WAITLISTED


def test_page_deadline_message(world, ev, login):
    ev.upcoming.registration_deadline = timezone.now() - datetime.timedelta(minutes=5)
    ev.upcoming.save()
    response = login(world.school_admin).post(
        ev.upcoming.get_absolute_url(), {"school": world.a1_school1.pk, "people": "Иванова Анна"}
    )
    assert "Регистрация закрыта" in response.content.decode()
    assert not Registration.objects.exists()


def test_bad_names_refused(world, ev, login):
    response = login(world.school_admin).post(
        ev.upcoming.get_absolute_url(), {"school": world.a1_school1.pk, "people": "12345"}
    )
    assert "укажите ФИО" in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "no_role"])
def test_page_post_by_outsider_is_404(world, ev, login, who):
    response = login(getattr(world, who)).post(
        ev.upcoming.get_absolute_url(), {"school": world.a1_school1.pk, "people": "Иванова Анна"}
    )
    assert response.status_code == 404
    assert not Registration.objects.exists()


def test_curator_sees_event_but_cannot_register(world, ev, login):
    world.curator.municipality = world.a1
    world.curator.save()
    client = login(world.curator)
    assert client.get(ev.upcoming.get_absolute_url()).status_code == 200
    response = client.post(ev.upcoming.get_absolute_url(), {"school": world.a1_school1.pk, "people": "Иванова Анна"})
    assert response.status_code == 404


def test_cancel_by_other_school_admin_is_404(world, ev, login):
    (reg,) = registrations_create(
        user=world.school_admin, event=ev.upcoming, school=world.a1_school1, people=people("Иванова Анна")
    )
    response = login(world.school_admin2).post(f"/events/registrations/{reg.pk}/cancel/")
    assert response.status_code == 404
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.REGISTERED
    response = login(world.school_admin).post(f"/events/registrations/{reg.pk}/cancel/")
    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.CANCELLED


def test_no_cancel_after_start(world, ev, login):
    reg = Registration.objects.create(event=ev.past, school=world.a1_school1, full_name="Иванова Анна")
    response = login(world.school_admin).post(f"/events/registrations/{reg.pk}/cancel/", follow=True)
    assert "отменить регистрацию нельзя" in response.content.decode()
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.REGISTERED


def test_more_places_promote_the_waiting_list(world, ev, login):
    ev.upcoming.capacity = 1
    ev.upcoming.save()
    regs = registrations_create(
        user=world.school_admin,
        event=ev.upcoming,
        school=world.a1_school1,
        people=people("Иванова Анна", "Петрова Мария"),
    )
    assert regs[1].status == RegistrationStatus.WAITLISTED
    client = login(world.methodist)
    form = client.get(f"/events/{ev.upcoming.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        municipality=world.a1.pk,
        host_school=world.a1_school1.pk,
        start=timezone.localtime(ev.upcoming.start).strftime("%Y-%m-%dT%H:%M"),
        end=timezone.localtime(ev.upcoming.end).strftime("%Y-%m-%dT%H:%M"),
        capacity=5,
    )
    data.pop("registration_deadline", None)
    response = client.post(f"/events/{ev.upcoming.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    regs[1].refresh_from_db()
    assert regs[1].status == RegistrationStatus.REGISTERED


def test_moving_up_from_the_waiting_list_is_notified_once(world, ev, mailoutbox, django_capture_on_commit_callbacks):
    from events.services import registration_promotion_notify

    ev.upcoming.capacity = 1
    ev.upcoming.save()
    world.school_admin.email = "director@school1.example"
    world.school_admin.save()
    first, waiting = registrations_create(
        user=world.school_admin,
        event=ev.upcoming,
        school=world.a1_school1,
        people=people("Иванова Анна", "Петрова Мария"),
    )
    assert waiting.status == RegistrationStatus.WAITLISTED
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(user=world.coordinator, registration=first)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["director@school1.example"]
    assert "Квест-игра «ВСОКО»" in message.subject
    assert "Петрова Мария" in message.body and "из листа ожидания" in message.body
    assert ev.upcoming.get_absolute_url() in message.body
    # a retry of the task sends nothing more
    assert registration_promotion_notify(registration_id=waiting.pk) == 0
    assert len(mailoutbox) == 1


def test_a_failed_notice_is_sent_again_by_the_retry(world, ev, mailoutbox, monkeypatch):
    from events import services

    world.school_admin.email = "director@school1.example"
    world.school_admin.save()
    (reg,) = registrations_create(
        user=world.school_admin, event=ev.upcoming, school=world.a1_school1, people=people("Иванова Анна")
    )

    def refuse(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(services, "send_mail", refuse)
    with pytest.raises(OSError):
        services.registration_promotion_notify(registration_id=reg.pk)
    assert Registration.objects.get(pk=reg.pk).promotion_notified_at is None
    monkeypatch.undo()
    assert services.registration_promotion_notify(registration_id=reg.pk) == 1
    assert len(mailoutbox) == 1
