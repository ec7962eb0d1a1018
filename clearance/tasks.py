"""Thin tasks of the clearance app (ENGINEERING.md: take ids, call services, idempotent)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from clearance import bulk, services


@shared_task
def code_checks_seal() -> int:
    return services.code_checks_seal()


@shared_task(
    name="clearance.tasks.bulk_verification_run",
    acks_late=True,  # a worker that dies mid-chunk leaves the message to be delivered again
    reject_on_worker_lost=True,
    # An unreachable database is retried; the chunk being checked was rolled back and is claimed again.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=5,
)
def bulk_verification_run(job_id: str) -> bool:
    return bulk.bulk_verification_run(job_id=job_id)


@shared_task(name="clearance.tasks.bulk_verifications_resume", acks_late=True)
def bulk_verifications_resume() -> int:
    return bulk.bulk_verifications_resume()


@shared_task(name="clearance.tasks.bulk_verifications_purge", acks_late=True)
def bulk_verifications_purge() -> int:
    return bulk.bulk_verifications_purge()
