from celery import shared_task

from reports.services import report_build


@shared_task(bind=True, acks_late=True, max_retries=2)
def build_report(self, report_id: int) -> bool:
    return report_build(report_id=report_id)
