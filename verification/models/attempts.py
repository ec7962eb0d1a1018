"""How often each online method ends in a verified person: a durable statistic for the staff dashboard
(issue 5, "verification success rate by method").

Identity checks are purged 10 minutes after they lapse, so they cannot answer "how many started last
month". An attempt keeps only the method, two times and the check's id (a random UUID, no foreign key:
the check is gone soon after) — nothing about the person."""

from django.db import models
from django.db.models import Q

# The online methods of DOMAIN.md §4; the same values as IdentityCheck.method and issuance's
# VerificationMethod (whose labels the dashboard shows).
ONLINE_METHODS = ("mobile", "certificate", "simple")


class MethodAttempt(models.Model):
    started_at = models.DateTimeField(db_index=True)
    method = models.CharField(max_length=20)
    identity_check_id = models.UUIDField()
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A person who asks for a second SMS code, or signs twice, is still one attempt of the method.
            models.UniqueConstraint(fields=["identity_check_id", "method"], name="method_attempt_one_per_check"),
            models.CheckConstraint(condition=Q(method__in=ONLINE_METHODS), name="method_attempt_online_method"),
        ]

    def __str__(self):
        return f"{self.method} attempt at {self.started_at:%Y-%m-%d %H:%M}"
