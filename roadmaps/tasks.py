from celery import shared_task

from roadmaps.services import reminders_send


@shared_task(name="roadmaps.send_report_reminders")
def send_report_reminders() -> int:
    """Daily (beat, UTC): remind school administrators of due and overdue reports."""
    return reminders_send()
