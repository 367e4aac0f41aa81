"""Reminder e-mails: a week before the due date and once when overdue, in the user's
language, idempotent."""

import datetime

from django.core import mail

from roadmaps.models import ReminderSent
from roadmaps.services import reminders_send
from roadmaps.tasks import send_report_reminders

from .conftest import make_roadmap


def test_due_soon_reminder_runs_twice_sends_once(world, settings):
    roadmap = make_roadmap(world.a1_school1)
    world.school_admin.email = "director@school.test"
    world.school_admin.save()
    first_period_end = datetime.date(roadmap.year, 12, 31)
    today = first_period_end + datetime.timedelta(days=5)  # due in 5 days (10 days after the period)
    assert reminders_send(today=today) == 1
    assert reminders_send(today=today) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["director@school.test"]
    assert message.subject == f"Скоро срок отчёта по дорожной карте за I полугодие {roadmap.year}/{roadmap.year + 1}"
    assert "нужно отправить до 10.01." in message.body
    assert ReminderSent.objects.count() == 1


def test_overdue_reminder_in_the_users_language(world):
    roadmap = make_roadmap(world.a1_school1)
    world.school_admin.email = "director@school.test"
    world.school_admin.language = "en"
    world.school_admin.save()
    today = datetime.date(roadmap.year + 1, 1, 15)
    assert reminders_send(today=today) == 1
    assert mail.outbox[0].subject == f"Roadmap report for half-year I {roadmap.year}/{roadmap.year + 1} is overdue"
    assert reminders_send(today=today) == 0
    assert len(mail.outbox) == 1


def test_no_reminder_when_the_report_is_submitted_or_far_away(world):
    from roadmaps import services

    from .conftest import fill

    roadmap = make_roadmap(world.a1_school1)
    world.school_admin.email = "director@school.test"
    world.school_admin.save()
    assert reminders_send(today=datetime.date(roadmap.year, 11, 1)) == 0  # due 10.01, far away
    report = services.progress_report_create(user=world.school_admin, roadmap=roadmap, period_start=roadmap.start_date)
    services.progress_report_submit(user=world.school_admin, report=fill(report, world.school_admin))
    assert reminders_send(today=datetime.date(roadmap.year + 1, 1, 15)) == 0
    assert mail.outbox == []


def test_the_celery_task_calls_the_service_and_beat_schedule_exists(world):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="roadmaps.send_report_reminders")
    assert task.enabled and task.crontab.timezone.key == "UTC"
    assert send_report_reminders.apply().get() == 0
