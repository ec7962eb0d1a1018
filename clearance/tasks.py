"""Thin tasks of the clearance app (ENGINEERING.md: take ids, call services, idempotent)."""

from celery import shared_task

from clearance import services


@shared_task
def code_checks_seal() -> int:
    return services.code_checks_seal()
