from celery import shared_task

from verification.services import identity_checks_purge as identity_checks_purge_service


@shared_task(name="verification.tasks.identity_checks_purge", acks_late=True)
def identity_checks_purge() -> int:
    return identity_checks_purge_service()
