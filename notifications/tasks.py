"""Thin tasks: they take ids and call notifications.services (GOV.UK Notify `deliver_sms`)."""

from celery import shared_task
from django.conf import settings

from notifications import services


@shared_task(
    bind=True,
    name="notifications.tasks.deliver_notice",
    acks_late=True,  # a worker that dies mid-task leaves the message to be delivered again
    reject_on_worker_lost=True,
    max_retries=services.NOTICE_MAX_ATTEMPTS,
)
def deliver_notice(self, notice_id: str) -> str:
    outcome = services.notice_deliver(notice_id=notice_id)
    if outcome == services.Outcome.RETRY:
        if self.request.retries >= self.max_retries:
            services.notice_give_up(notice_id=notice_id)
            return outcome
        raise self.retry(countdown=settings.NOTICE_RETRY_DELAY_SECONDS)
    return outcome


@shared_task(name="notifications.tasks.notices_replay", acks_late=True)
def notices_replay() -> dict[str, int]:
    return services.notices_replay()


@shared_task(name="notifications.tasks.expiry_reminders_create", acks_late=True)
def expiry_reminders_create() -> int:
    return services.expiry_reminders_create()


@shared_task(name="notifications.tasks.notices_purge", acks_late=True)
def notices_purge() -> int:
    return services.notices_purge()
