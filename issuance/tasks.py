from celery import shared_task

from issuance.services import codes_process_expiry as codes_process_expiry_service


@shared_task(name="issuance.tasks.codes_process_expiry", acks_late=True)
def codes_process_expiry() -> dict[str, int]:
    """Beat runs this hourly; the service is idempotent, so a retry or a duplicate run is harmless."""
    return codes_process_expiry_service()
