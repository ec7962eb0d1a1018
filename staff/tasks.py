from celery import shared_task

from staff.services import staff_role_changes_purge as _purge


@shared_task(name="staff.tasks.staff_role_changes_purge")
def staff_role_changes_purge() -> int:
    return _purge()
