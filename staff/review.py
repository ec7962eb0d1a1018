"""Issuance-log review and the dashboard (issue 5, "Admin review"): the reads behind the review pages,
and the two access records those pages write (opening a code's history, exporting the log).

Every function takes the signed-in user and checks the permission itself (`staff_require`), so the
rule holds whichever page or command calls. Office roles (supervisors) see their office's part only
(`staff_office_scope`): the events that happened at their office, and the codes issued there or with
an event there. Counting is done by the database (GROUP BY), never by looping over rows in Python.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AccessAction, AccessPurpose
from audit.services import access_record_write
from issuance.codes import mask_code, normalise_code
from issuance.models import (
    Channel,
    Code,
    CodeEvent,
    CodeStatus,
    CustomsOffice,
    EventKind,
    SuspensionReason,
    TerminationReason,
    VerificationMethod,
)
from issuance.selectors import code_history
from issuance.services import ReissueReason
from pcc_portal.exceptions import ApplicationError
from staff.periods import KOREA, korean_days_q, korean_midnight
from staff.roles import Permission
from staff.services import staff_forbidden_error, staff_office_scope, staff_require
from verification.models import ONLINE_METHODS, MethodAttempt

# Days are Korean calendar days (DOMAIN.md §3): a filter "from 1 March" starts at 00:00 in Seoul.
DASHBOARD_DAYS = 30
EXPORT_REASON_MIN = 10
EXPORT_REASON_MAX = 200  # AccessRecord.reason holds 200 characters

EXPORT_COLUMNS = (
    "occurred_at",
    "code",
    "kind",
    "channel",
    "office",
    "method",
    "actor_type",
    "actor_username",
    "reason",
    "code_status",
)


@dataclass(frozen=True)
class EventFilters:
    """What the reviewer narrowed the log to; every field optional. Dates are Korean days, inclusive."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    channel: str = ""
    office: CustomsOffice | None = None
    method: str = ""
    kind: str = ""
    status: str = ""

    def describe(self) -> str:
        """A short, non-personal summary of the filters for the export's access record (its record_id
        holds 64 characters)."""
        parts = []
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or ''}..{self.date_to or ''}")
        for name in ("channel", "method", "kind", "status"):
            if value := getattr(self, name):
                parts.append(f"{name}={value}")
        if self.office is not None:
            parts.append(f"office={self.office.code}")
        return " ".join(parts)[:64] or "all"


_REISSUE_REASONS = {
    ReissueReason.LOST: _("Lost"),
    ReissueReason.STOLEN: _("Stolen or leaked"),
    ReissueReason.OTHER: _("Another reason"),
}
_REASON_LABELS = {
    EventKind.SUSPENDED: dict(SuspensionReason.choices),
    EventKind.TERMINATED: dict(TerminationReason.choices),
    EventKind.REISSUED: _REISSUE_REASONS,
}


def event_reason_label(event: CodeEvent) -> str:
    """The reason of a suspension, termination or reissue in words; the stored value otherwise."""
    return _REASON_LABELS.get(event.kind, {}).get(event.reason, event.reason)


def review_offices(*, user) -> QuerySet[CustomsOffice]:
    """The offices a reviewer may filter by: their own for office roles, every office otherwise."""
    profile = staff_require(user=user, permission=Permission.ISSUANCE_LOG_REVIEW)
    scope = staff_office_scope(profile)
    offices = CustomsOffice.objects.all()
    return offices.filter(pk=scope.pk) if scope is not None else offices


def _events(profile, filters: EventFilters) -> QuerySet[CodeEvent]:
    scope = staff_office_scope(profile)
    if scope is not None and filters.office is not None and filters.office.pk != scope.pk:
        raise staff_forbidden_error()
    events = CodeEvent.objects.select_related("code", "office", "actor_user")
    if scope is not None:
        events = events.filter(office=scope)
    if filters.office is not None:
        events = events.filter(office=filters.office)
    events = events.filter(korean_days_q("occurred_at", filters.date_from, filters.date_to))
    if filters.channel:
        events = events.filter(channel=filters.channel)
    if filters.method:
        events = events.filter(method=filters.method)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.status:
        events = events.filter(code__status=filters.status)
    return events.order_by("-occurred_at", "-id")


def code_events_filter(*, user, filters: EventFilters) -> QuerySet[CodeEvent]:
    """The issuance log, newest first, narrowed by `filters` and by the reviewer's office scope."""
    profile = staff_require(user=user, permission=Permission.ISSUANCE_LOG_REVIEW)
    return _events(profile, filters)


def _codes_in_scope(profile) -> QuerySet[Code]:
    codes = Code.objects.select_related("office", "replaced_by")
    scope = staff_office_scope(profile)
    if scope is None:
        return codes
    # A supervisor may open a code their office issued, or one with an event at their office (a code
    # reissued or suspended at their counter): exactly the codes whose events their log lists.
    at_office = CodeEvent.objects.filter(code=OuterRef("pk"), office=scope)
    return codes.filter(Q(office=scope) | Exists(at_office))


def code_find_for_review(*, user, number: str) -> Code | None:
    """The code with this number, if it is in the reviewer's scope (the log's search by code)."""
    profile = staff_require(user=user, permission=Permission.ISSUANCE_LOG_REVIEW)
    return _codes_in_scope(profile).filter(number=normalise_code(number)).first()


@dataclass(frozen=True)
class CodeReview:
    code: Code
    events: QuerySet[CodeEvent]
    replaces: Code | None


def code_history_review(*, user, ip_address: str | None, code_id: int) -> CodeReview | None:
    """The whole history of one code in the reviewer's scope, or None. Opening it is an access to the
    holder's record, so it writes an access record (DOMAIN.md §9): view, for log review."""
    profile = staff_require(user=user, permission=Permission.ISSUANCE_LOG_REVIEW)
    code = _codes_in_scope(profile).filter(pk=code_id).first()
    if code is None:
        return None
    access_record_write(
        user=user,
        ip_address=ip_address,
        action=AccessAction.VIEW,
        purpose=AccessPurpose.LOG_REVIEW,
        record_type="code",
        record_id=str(code.pk),
        holder=code.holder,
        fields=["code", "history"],
    )
    replaces = Code.objects.filter(replaced_by=code).first()
    return CodeReview(code=code, events=code_history(code), replaces=replaces)


def export_reason_error() -> ApplicationError:
    return ApplicationError(
        "PCC_EXPORT_REASON_REQUIRED",
        _("Give the reason for this export in 10 to 200 characters."),
    )


def _export_row(event: CodeEvent) -> list[str]:
    occurred = event.occurred_at.astimezone(datetime.UTC).replace(microsecond=0)
    return [
        occurred.strftime("%Y-%m-%dT%H:%M:%SZ"),
        mask_code(event.code.number),
        event.kind,
        event.channel,
        event.office.code if event.office_id else "",
        event.method,
        event.actor_type,
        event.actor_user.get_username() if event.actor_user_id else "",
        event.reason,
        event.code.status,
    ]


def code_events_export(*, user, ip_address: str | None, filters: EventFilters, reason: str) -> Iterator[list[str]]:
    """The filtered log as CSV rows (header first), for a streaming download. Codes are masked and no
    holder's name or identifier is included (issue 5). Every export asks for and records its reason:
    the access record is written before the first row, whether or not the download completes."""
    profile = staff_require(user=user, permission=Permission.ISSUANCE_LOG_EXPORT)
    reason = (reason or "").strip()
    if not EXPORT_REASON_MIN <= len(reason) <= EXPORT_REASON_MAX:
        raise export_reason_error()
    events = _events(profile, filters)
    access_record_write(
        user=user,
        ip_address=ip_address,
        action=AccessAction.DOWNLOAD,
        purpose=AccessPurpose.LOG_REVIEW,
        record_type="issuance_log",
        record_id=filters.describe(),
        fields=list(EXPORT_COLUMNS),
        reason=reason,
    )

    def rows() -> Iterator[list[str]]:
        yield list(EXPORT_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            yield _export_row(event)

    return rows()


# --- Dashboard -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodRate:
    method: str
    label: str
    started: int
    verified: int

    @property
    def percent(self) -> float | None:
        """Verified out of started, in per cent; None when nothing started (no data, not 0 %)."""
        return round(100 * self.verified / self.started, 1) if self.started else None


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class DashboardFigures:
    office: CustomsOffice | None  # the supervisor's office, or None: every office
    days: list[datetime.date]  # the last 30 Korean days, oldest first, today last
    issuances: dict[str, list[int]]  # channel -> issuances per day (aligned with days)
    reissues: list[int]
    theft_reports: list[int]
    method_rates: list[MethodRate]
    statuses: list[StatusCount]
    expiring_days: list[datetime.date]  # today and the next 29 days
    expiring: list[int]  # codes in use whose last valid day is that day


def _per_day(queryset, *, days: list[datetime.date], group: str | None = None) -> dict:
    """Counts per Korean day of `occurred_at` (and per `group`), as lists aligned with `days`."""
    fields = ["day", group] if group else ["day"]
    # order_by() clears the model's ordering, which would otherwise split the groups.
    rows = (
        queryset.annotate(day=TruncDate("occurred_at", tzinfo=KOREA)).values(*fields).annotate(n=Count("id")).order_by()
    )
    index = {day: position for position, day in enumerate(days)}
    counts: dict = {}
    for row in rows:  # one row per day and group: at most 30 × the number of groups
        key = row[group] if group else None
        series = counts.setdefault(key, [0] * len(days))
        if row["day"] in index:
            series[index[row["day"]]] += row["n"]
    return counts


def dashboard_figures(*, user, today: datetime.date | None = None) -> DashboardFigures:
    """The dashboard's numbers (issue 5): issuances per day by channel, reissues and theft reports per
    day, verification success by method, codes by status and codes expiring soon. A supervisor sees
    their office's figures where an office applies: issuances and reissues made at their office,
    theft reports of, codes of and expiries of codes issued there. The success rate is of the online
    methods and the same for everyone."""
    profile = staff_require(user=user, permission=Permission.ISSUANCE_LOG_REVIEW)
    scope = staff_office_scope(profile)
    today = today or timezone.localdate()
    days = [today - datetime.timedelta(days=back) for back in range(DASHBOARD_DAYS - 1, -1, -1)]
    start = korean_midnight(days[0])
    end = korean_midnight(today + datetime.timedelta(days=1))

    events = CodeEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    codes = Code.objects.all()
    if scope is not None:
        codes = codes.filter(office=scope)
    made_here = events.filter(office=scope) if scope is not None else events

    by_channel = _per_day(made_here.filter(kind=EventKind.ISSUED), days=days, group="channel")
    issuances = {channel: by_channel.get(channel, [0] * len(days)) for channel in Channel.values}
    reissues = _per_day(made_here.filter(kind=EventKind.REISSUED), days=days).get(None, [0] * len(days))
    thefts = events.filter(kind=EventKind.SUSPENDED, reason=SuspensionReason.THEFT_REPORT)
    if scope is not None:
        thefts = thefts.filter(code__office=scope)
    theft_reports = _per_day(thefts, days=days).get(None, [0] * len(days))

    attempts = {
        row["method"]: row
        for row in MethodAttempt.objects.filter(started_at__gte=start, started_at__lt=end)
        .values("method")
        .annotate(started=Count("id"), verified=Count("id", filter=Q(verified_at__isnull=False)))
        .order_by()
    }
    method_rates = [
        MethodRate(
            method=method,
            label=VerificationMethod(method).label,
            started=attempts.get(method, {}).get("started", 0),
            verified=attempts.get(method, {}).get("verified", 0),
        )
        for method in ONLINE_METHODS
    ]

    by_status = dict(codes.values_list("status").annotate(n=Count("id")).order_by())
    statuses = [StatusCount(status, CodeStatus(status).label, by_status.get(status, 0)) for status in CodeStatus.values]

    expiring_days = [today + datetime.timedelta(days=ahead) for ahead in range(DASHBOARD_DAYS)]
    by_expiry = dict(
        codes.filter(status=CodeStatus.ACTIVE, expires_on__gte=expiring_days[0], expires_on__lte=expiring_days[-1])
        .values_list("expires_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    return DashboardFigures(
        office=scope,
        days=days,
        issuances=issuances,
        reissues=reissues,
        theft_reports=theft_reports,
        method_rates=method_rates,
        statuses=statuses,
        expiring_days=expiring_days,
        expiring=[by_expiry.get(day, 0) for day in expiring_days],
    )
