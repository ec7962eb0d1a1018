from celery import shared_task

from audit.services import access_records_purge as _purge


@shared_task(name="audit.tasks.access_records_purge")
def access_records_purge() -> int:
    return _purge()
