"""Notices to holders: the transactional outbox (GOV.UK Notify's `notifications` table).

A notice row is written with status `created` in the same transaction as the event that causes it
(notifications/services.py); a Celery task delivers it after commit; the sweeper replays what got
stuck. The row holds no personal values: the recipient is read from the holder when sending, and the
message context holds masked values only (DOMAIN.md §8).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NoticeChannel(models.TextChoices):
    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")


class NoticeStatus(models.TextChoices):
    # GOV.UK Notify's statuses (app/models.py NOTIFICATION_STATUS_TYPES), plus "cancelled" for a
    # notice that must not go any more (consent withdrawn before it was sent).
    CREATED = "created", _("Created")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    TEMPORARY_FAILURE = "temporary-failure", _("Temporary failure")
    PERMANENT_FAILURE = "permanent-failure", _("Permanent failure")
    CANCELLED = "cancelled", _("Cancelled")


class NoticeKind(models.TextChoices):
    DECLARATION_FILED = "declaration_filed", _("Declaration filed with the code")
    CODE_ISSUED = "code_issued", _("Code issued")
    CODE_CHANGED = "code_changed", _("Details changed")
    CODE_RENEWED = "code_renewed", _("Code renewed")
    CODE_REISSUED = "code_reissued", _("Code reissued")
    CODE_SUSPENDED = "code_suspended", _("Code suspended")
    CODE_REINSTATED = "code_reinstated", _("Code reinstated")
    CODE_TERMINATED = "code_terminated", _("Code terminated")
    CODE_EXPIRED = "code_expired", _("Code expired")
    EXPIRY_REMINDER = "expiry_reminder", _("Code expires soon")


class MessageType(models.TextChoices):
    SMS = "sms", "SMS"  # up to 90 bytes in EUC-KR
    LMS = "lms", "LMS"  # up to 2,000 bytes
    EMAIL = "email", "email"


class Notice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    holder = models.ForeignKey("issuance.Holder", on_delete=models.PROTECT, related_name="notices")
    code = models.ForeignKey("issuance.Code", null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    channel = models.CharField(max_length=5, choices=NoticeChannel.choices)
    # The event and channel it is for: writing the same notice twice is impossible (unique), so a
    # replayed service call, task or job cannot make a second message.
    idempotency_key = models.CharField(max_length=120, unique=True)
    context = models.JSONField(default=dict, help_text="masked, non-personal values for the message")
    language = models.CharField(max_length=2, default="ko")
    status = models.CharField(max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.CREATED)
    message_type = models.CharField(max_length=5, choices=MessageType.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider = models.CharField(max_length=30, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True, db_index=True)
    last_error = models.CharField(max_length=200, blank=True, help_text="never personal data")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["status", "sending_at"])]
        constraints = [
            models.CheckConstraint(
                name="notice_sent_has_time",
                condition=~Q(status__in=["sent", "delivered"]) | Q(sent_at__isnull=False),
            )
        ]

    def __str__(self):
        return f"Notice {self.pk} ({self.kind}, {self.channel}, {self.status})"
