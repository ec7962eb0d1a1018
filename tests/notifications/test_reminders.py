"""Expiry notices (issue 6; DOMAIN.md §3): everyone whose code is in use is told by email 30 and 7 days
before it expires, and by SMS too with the consent; the daily job can run again without a second
notice; the expiry job tells the holder that the code has expired."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from issuance.codes import mask_code
from issuance.models import Code, CodeStatus, SuspensionReason, TerminationReason
from issuance.services import code_issue, code_suspend, code_terminate, codes_process_expiry
from notifications.models import MessageType, Notice, NoticeChannel, NoticeKind, NoticeStatus
from notifications.services import Outcome, expiry_reminders_create, notice_deliver
from tests.factories import ONLINE, HolderDetailsFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _code(*, expires_in: int, consent: bool = True, today: datetime.date = TODAY) -> Code:
    code = code_issue(details=HolderDetailsFactory(sms_consent=consent), actor=ONLINE)
    Code.objects.filter(pk=code.pk).update(expires_on=today + datetime.timedelta(days=expires_in))
    code.refresh_from_db()
    return code


def _reminders(code: Code) -> set[tuple[str, int]]:
    return {
        (notice.channel, notice.context["days_left"])
        for notice in Notice.objects.filter(code=code, kind=NoticeKind.EXPIRY_REMINDER)
    }


def test_codes_in_use_expiring_in_30_and_7_days_get_an_email_and_with_consent_an_sms():
    in_30 = _code(expires_in=30)
    in_7 = _code(expires_in=7)
    in_30_no_consent = _code(expires_in=30, consent=False)
    in_7_no_consent = _code(expires_in=7, consent=False)

    assert expiry_reminders_create(today=TODAY) == 6

    assert _reminders(in_30) == {(NoticeChannel.EMAIL, 30), (NoticeChannel.SMS, 30)}
    assert _reminders(in_7) == {(NoticeChannel.EMAIL, 7), (NoticeChannel.SMS, 7)}
    assert _reminders(in_30_no_consent) == {(NoticeChannel.EMAIL, 30)}
    assert _reminders(in_7_no_consent) == {(NoticeChannel.EMAIL, 7)}
    notice = Notice.objects.get(code=in_30, channel=NoticeChannel.EMAIL, kind=NoticeKind.EXPIRY_REMINDER)
    assert notice.status == NoticeStatus.CREATED
    assert notice.idempotency_key == f"reminder:{in_30.pk}:{in_30.expires_on.isoformat()}:30:email"
    assert notice.context == {
        "code": mask_code(in_30.number),
        "expires_on": in_30.expires_on.isoformat(),
        "days_left": 30,
    }


@pytest.mark.parametrize("days", [0, 1, 6, 8, 29, 31, 60])
def test_codes_expiring_on_other_days_get_no_reminder(days):
    _code(expires_in=days)

    assert expiry_reminders_create(today=TODAY) == 0
    assert not Notice.objects.filter(kind=NoticeKind.EXPIRY_REMINDER).exists()


def test_suspended_and_terminated_codes_get_no_reminder():
    suspended = _code(expires_in=30)
    code_suspend(code=suspended, reason=SuspensionReason.THEFT_REPORT, actor=ONLINE)
    terminated = _code(expires_in=7)
    code_terminate(code=terminated, reason=TerminationReason.VOLUNTARY, actor=ONLINE)
    expired = _code(expires_in=30)
    Code.objects.filter(pk=expired.pk).update(status=CodeStatus.EXPIRED)

    assert expiry_reminders_create(today=TODAY) == 0
    assert not Notice.objects.filter(kind=NoticeKind.EXPIRY_REMINDER).exists()


def test_a_second_run_on_the_same_day_makes_nothing_new():
    _code(expires_in=30)
    _code(expires_in=7, consent=False)
    assert expiry_reminders_create(today=TODAY) == 3
    keys = set(Notice.objects.values_list("idempotency_key", flat=True))

    assert expiry_reminders_create(today=TODAY) == 0

    assert set(Notice.objects.values_list("idempotency_key", flat=True)) == keys


def test_a_renewed_code_is_reminded_again_before_its_new_expiry():
    code = _code(expires_in=30)
    assert expiry_reminders_create(today=TODAY) == 2
    next_year = TODAY + datetime.timedelta(days=365)
    Code.objects.filter(pk=code.pk).update(expires_on=next_year + datetime.timedelta(days=30))

    assert expiry_reminders_create(today=next_year) == 2

    assert Notice.objects.filter(code=code, kind=NoticeKind.EXPIRY_REMINDER).count() == 4


def test_reminders_are_delivered_after_the_job_commits(memory_sms, django_capture_on_commit_callbacks):
    code = _code(expires_in=7)

    with django_capture_on_commit_callbacks(execute=True):
        expiry_reminders_create(today=TODAY)

    assert set(
        Notice.objects.filter(kind=NoticeKind.EXPIRY_REMINDER).values_list("channel", "status", "message_type")
    ) == {
        (NoticeChannel.EMAIL, NoticeStatus.SENT, MessageType.EMAIL),
        (NoticeChannel.SMS, NoticeStatus.SENT, MessageType.SMS),
    }
    [email] = mail.outbox
    assert email.to == [code.holder.email]
    assert "in 7 days" in email.body and mask_code(code.number) in email.body
    [sms] = memory_sms
    assert "in 7 days" in sms["body"] and code.number not in sms["body"]


# --- On expiry (issuance.services.codes_process_expiry) -------------------------------------------


def test_the_expiry_job_sends_a_code_expired_email(django_capture_on_commit_callbacks):
    code = _code(expires_in=0, consent=False, today=timezone.localdate())

    with django_capture_on_commit_callbacks(execute=True):
        codes_process_expiry(today=code.expires_on + datetime.timedelta(days=1))

    notice = Notice.objects.get(code=code, kind=NoticeKind.CODE_EXPIRED)  # email only: no SMS consent
    assert notice.channel == NoticeChannel.EMAIL
    assert notice.status == NoticeStatus.SENT
    [email] = mail.outbox
    assert email.to == [code.holder.email]
    assert email.subject == "Your Personal Customs Code has expired"
    assert mask_code(code.number) in email.body and code.number not in email.body


def test_the_expiry_job_also_texts_a_holder_who_opted_in(memory_sms):
    code = _code(expires_in=0, today=timezone.localdate())

    codes_process_expiry(today=code.expires_on + datetime.timedelta(days=1))

    assert set(Notice.objects.filter(code=code, kind=NoticeKind.CODE_EXPIRED).values_list("channel", flat=True)) == {
        NoticeChannel.EMAIL,
        NoticeChannel.SMS,
    }
    sms = Notice.objects.get(code=code, kind=NoticeKind.CODE_EXPIRED, channel=NoticeChannel.SMS)
    assert notice_deliver(notice_id=sms.pk) == Outcome.SENT
    [message] = memory_sms
    assert "has expired" in message["body"]


def test_running_the_expiry_job_again_writes_no_second_notice():
    code = _code(expires_in=0, today=timezone.localdate())
    day_after = code.expires_on + datetime.timedelta(days=1)
    codes_process_expiry(today=day_after)
    count = Notice.objects.count()

    codes_process_expiry(today=day_after)

    assert Notice.objects.count() == count
