"""Email notices through Django's mail (issue 6): everyone hears of their code's expiry by email, with
the code masked (DOMAIN.md §8); a mail server that cannot be reached is a temporary failure."""

import datetime
import socket

import pytest
from django.core import mail

from issuance.codes import mask_code
from notifications.models import Notice, NoticeChannel, NoticeKind, NoticeStatus
from notifications.services import Outcome, expiry_reminders_create, notice_deliver


@pytest.fixture
def reminder(issued_code):
    """The 30-day expiry reminder email of the issued code, written by the daily job."""
    expiry_reminders_create(today=issued_code.expires_on - datetime.timedelta(days=30))
    return Notice.objects.get(holder=issued_code.holder, kind=NoticeKind.EXPIRY_REMINDER, channel=NoticeChannel.EMAIL)


def _closed_port() -> int:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        return placeholder.getsockname()[1]


def test_an_expiry_reminder_email_is_sent_once_with_the_code_masked(settings, reminder, issued_code):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert notice_deliver(notice_id=reminder.pk) == Outcome.SENT

    [email] = mail.outbox
    assert email.to == [issued_code.holder.email]
    assert mask_code(issued_code.number) in email.body
    assert issued_code.number not in email.body and issued_code.number not in email.subject
    assert "30 days" in email.body  # the holder's language (the factory's holders read English)
    assert email.extra_headers["X-PCC-Notice"] == reminder.idempotency_key
    reminder.refresh_from_db()
    assert reminder.status == NoticeStatus.SENT
    assert reminder.provider == "email" and reminder.message_type == "email"
    # A task run twice does not send twice.
    assert notice_deliver(notice_id=reminder.pk) == Outcome.SKIPPED
    assert len(mail.outbox) == 1


def test_an_unreachable_mail_server_is_a_temporary_failure(settings, reminder):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _closed_port()
    settings.EMAIL_TIMEOUT = 2

    assert notice_deliver(notice_id=reminder.pk) == Outcome.RETRY

    reminder.refresh_from_db()
    assert reminder.status == NoticeStatus.TEMPORARY_FAILURE
    assert reminder.last_error == "ConnectionRefusedError"
    assert reminder.failed_at is not None and reminder.sent_at is None

    # The mail server is back: the retry sends it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notice_deliver(notice_id=reminder.pk) == Outcome.SENT
    assert len(mail.outbox) == 1
