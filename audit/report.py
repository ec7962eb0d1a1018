"""The monthly review of the access records (issue 5: "a monthly review report lists unusual
patterns"; the Korean personal-information safety standard, Art. 8, asks for access records to be
reviewed regularly). Shown at /staff/access-records/report/ and by `manage.py access_review_report`.

Each rule is one small function over one month's records (a queryset), counted by the database
(GROUP BY, hours and days in Korean time), with its threshold in settings (PCC_ACCESS_REVIEW_*): a
staff member is listed when their count is MORE than the threshold. The report points at what
deserves a look; it decides nothing.

"Viewing a person's data" here means a staff record with action view or print that names a holder:
the access-record pages themselves (purpose audit) name none and show no personal values.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AccessAction, AccessPurpose, AccessRecord, ActorType
from staff.periods import KOREA, korean_midnight
from staff.roles import Permission, Role
from staff.services import staff_require

REPORT_RECORD_TYPE = "access_review_report"  # the access record of reading the report
SATURDAY = 6  # ISO weekday numbers: Monday 1 … Sunday 7
REVIEWED_PURPOSES = (AccessPurpose.MISUSE_INVESTIGATION, AccessPurpose.DATA_SUBJECT_REQUEST)


@dataclass(frozen=True)
class ReviewMonth:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "ReviewMonth":
        """'2026-03' → ReviewMonth(2026, 3); ValueError otherwise (ASCII digits only)."""
        match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip(), flags=re.ASCII)
        if match is None or not 1 <= int(match[2]) <= 12:
            raise ValueError(text)
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def previous(cls, today: datetime.date | None = None) -> "ReviewMonth":
        """The last whole month: what the monthly review at the start of a month looks at."""
        today = today or timezone.localdate()
        last_of_previous = today.replace(day=1) - datetime.timedelta(days=1)
        return cls(last_of_previous.year, last_of_previous.month)

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> datetime.date:
        return (self.first_day + datetime.timedelta(days=32)).replace(day=1)

    @property
    def last_day(self) -> datetime.date:
        return self.next_first_day - datetime.timedelta(days=1)

    @property
    def start(self) -> datetime.datetime:
        return korean_midnight(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        return korean_midnight(self.next_first_day)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_records(month: ReviewMonth) -> QuerySet[AccessRecord]:
    return AccessRecord.objects.filter(occurred_at__gte=month.start, occurred_at__lt=month.end)


def _views_of_people(records: QuerySet[AccessRecord]) -> QuerySet[AccessRecord]:
    return records.filter(
        actor_type=ActorType.STAFF, action__in=[AccessAction.VIEW, AccessAction.PRINT], holder__isnull=False
    )


# --- The rules: each takes one month's records and returns what it flags ---------------------------


def off_hours_viewers(records, *, threshold: int, start_hour: int, end_hour: int) -> list[dict]:
    """Staff who viewed people's data outside office hours (Korean time: before `start_hour`, from
    `end_hour`, or on a Saturday or Sunday) more than `threshold` times. Public holidays are not
    known here and count as working days."""
    off_hours = Q(hour__lt=start_hour) | Q(hour__gte=end_hour) | Q(weekday__gte=SATURDAY)
    return list(
        _views_of_people(records)
        .annotate(hour=ExtractHour("occurred_at", tzinfo=KOREA), weekday=ExtractIsoWeekDay("occurred_at", tzinfo=KOREA))
        .filter(off_hours)
        .values("actor_username")
        .annotate(
            views=Count("id"), people=Count("holder", distinct=True), first=Min("occurred_at"), last=Max("occurred_at")
        )
        .filter(views__gt=threshold)
        .order_by("-views", "actor_username")
    )


def many_people_in_a_day(records, *, threshold: int) -> list[dict]:
    """Staff who viewed the data of more than `threshold` different people in one Korean day."""
    return list(
        _views_of_people(records)
        .annotate(day=TruncDate("occurred_at", tzinfo=KOREA))
        .values("actor_username", "day")
        .annotate(people=Count("holder", distinct=True), views=Count("id"))
        .filter(people__gt=threshold)
        .order_by("day", "-people", "actor_username")
    )


def downloads(records) -> list[AccessRecord]:
    """Every download or export, whoever made it: each is listed for review."""
    return list(records.filter(action=AccessAction.DOWNLOAD).order_by("sequence"))


def repeated_views_of_one_person(records, *, threshold: int) -> list[dict]:
    """The same person viewed by the same staff member more than `threshold` times in the month."""
    return list(
        _views_of_people(records)
        .values("actor_username", "holder")
        .annotate(views=Count("id"), first=Min("occurred_at"), last=Max("occurred_at"))
        .filter(views__gt=threshold)
        .order_by("-views", "actor_username", "holder")
    )


def reviewed_purposes(records) -> list[AccessRecord]:
    """Every record made for a misuse investigation or a data-subject request: purposes that reach
    beyond the counter and are checked each month."""
    return list(records.filter(purpose__in=REVIEWED_PURPOSES).order_by("sequence"))


def access_without_role(records) -> list[dict]:
    """Staff records by an account that had no role at the time, or that has no role now (removed or
    deactivated since): their last accesses deserve a look."""
    without = Q(actor_role="") | Q(actor_user__staff_profile__isnull=True) | Q(actor_user__is_active=False)
    return list(
        records.filter(actor_type=ActorType.STAFF, actor_user__isnull=False)
        .filter(without)
        .values("actor_username", "actor_role")
        .annotate(records=Count("id"), people=Count("holder", distinct=True), last=Max("occurred_at"))
        .order_by("actor_username", "actor_role")
    )


# --- The report -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    cells: list[str]
    query: str = ""  # the access-record list's filters for this row, as a query string


@dataclass(frozen=True)
class ReportSection:
    key: str
    title: str
    explanation: str
    columns: list[str]
    rows: list[ReportRow] = field(default_factory=list)


@dataclass(frozen=True)
class AccessReviewReport:
    month: ReviewMonth
    sections: list[ReportSection]

    @property
    def flagged(self) -> int:
        return sum(len(section.rows) for section in self.sections)


def utc_text(moment: datetime.datetime) -> str:
    """A time as the access-record pages show it: UTC, to the second."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")


_ROLE_LABELS = dict(Role.choices)


def _role(value: str) -> str:
    return str(_ROLE_LABELS.get(value, value or _("no role")))


def _list_query(
    month: ReviewMonth, *, first: datetime.date | None = None, last: datetime.date | None = None, **filters
) -> str:
    days = {"date_from": (first or month.first_day).isoformat(), "date_to": (last or month.last_day).isoformat()}
    return urlencode({**days, **{name: str(value) for name, value in filters.items() if value}})


def _record_name(record: AccessRecord) -> str:
    # The holder has a column of its own; a record id that only repeats it is left out.
    same = record.holder_id is not None and record.record_id == str(record.holder_id)
    return record.record_type if same or not record.record_id else f"{record.record_type} {record.record_id}"


def _record_rows(records: list[AccessRecord]) -> list[ReportRow]:
    return [
        ReportRow(
            cells=[
                f"#{record.sequence}",
                utc_text(record.occurred_at),
                record.actor_username,
                _role(record.actor_role),
                record.get_action_display(),
                record.get_purpose_display(),
                record.reason,
                _record_name(record),
                str(record.holder_id or ""),
            ]
        )
        for record in records
    ]


_RECORD_COLUMNS = [
    _("Record"),
    _("Time (UTC)"),
    _("Staff"),
    _("Role at the time"),
    _("Action"),
    _("Purpose"),
    _("Reason given"),
    _("Record type and id"),
    _("Person (holder id)"),
]


def _section_off_hours(month, records) -> ReportSection:
    threshold = settings.PCC_ACCESS_REVIEW_OFF_HOURS_VIEWS
    start, end = settings.PCC_ACCESS_REVIEW_OFFICE_HOURS_START, settings.PCC_ACCESS_REVIEW_OFFICE_HOURS_END
    rows = off_hours_viewers(records, threshold=threshold, start_hour=start, end_hour=end)
    return ReportSection(
        key="off_hours",
        title=_("Views outside office hours"),
        explanation=_(
            "Staff who viewed people's data more than %(threshold)s times before %(start)s:00 or from "
            "%(end)s:00 Korean time, or at the weekend."
        )
        % {"threshold": threshold, "start": f"{start:02d}", "end": f"{end:02d}"},
        columns=[_("Staff"), _("Views outside office hours"), _("Different people"), _("First (UTC)"), _("Last (UTC)")],
        rows=[
            ReportRow(
                cells=[
                    row["actor_username"],
                    str(row["views"]),
                    str(row["people"]),
                    utc_text(row["first"]),
                    utc_text(row["last"]),
                ],
                query=_list_query(month, actor=row["actor_username"]),
            )
            for row in rows
        ],
    )


def _section_many_people(month, records) -> ReportSection:
    threshold = settings.PCC_ACCESS_REVIEW_PEOPLE_PER_DAY
    rows = many_people_in_a_day(records, threshold=threshold)
    return ReportSection(
        key="many_people",
        title=_("Many people in one day"),
        explanation=_("Staff who viewed the data of more than %(threshold)s different people in one Korean day.")
        % {"threshold": threshold},
        columns=[_("Staff"), _("Day (Korean date)"), _("Different people"), _("Views")],
        rows=[
            ReportRow(
                cells=[row["actor_username"], row["day"].isoformat(), str(row["people"]), str(row["views"])],
                query=_list_query(month, first=row["day"], last=row["day"], actor=row["actor_username"]),
            )
            for row in rows
        ],
    )


def _section_downloads(month, records) -> ReportSection:
    return ReportSection(
        key="downloads",
        title=_("Downloads and exports"),
        explanation=_("Every download or export of the month, with the reason given."),
        columns=_RECORD_COLUMNS,
        rows=_record_rows(downloads(records)),
    )


def _section_repeated(month, records) -> ReportSection:
    threshold = settings.PCC_ACCESS_REVIEW_REPEAT_VIEWS
    rows = repeated_views_of_one_person(records, threshold=threshold)
    return ReportSection(
        key="repeated",
        title=_("The same person, again and again"),
        explanation=_("The same person viewed by the same staff member more than %(threshold)s times in the month.")
        % {"threshold": threshold},
        columns=[_("Staff"), _("Person (holder id)"), _("Views"), _("First (UTC)"), _("Last (UTC)")],
        rows=[
            ReportRow(
                cells=[
                    row["actor_username"],
                    str(row["holder"]),
                    str(row["views"]),
                    utc_text(row["first"]),
                    utc_text(row["last"]),
                ],
                query=_list_query(month, actor=row["actor_username"], holder=row["holder"]),
            )
            for row in rows
        ],
    )


def _section_purposes(month, records) -> ReportSection:
    return ReportSection(
        key="purposes",
        title=_("Misuse investigations and data-subject requests"),
        explanation=_("Every record made for a misuse investigation or a data-subject request, for review."),
        columns=_RECORD_COLUMNS,
        rows=_record_rows(reviewed_purposes(records)),
    )


def _section_without_role(month, records) -> ReportSection:
    rows = access_without_role(records)
    return ReportSection(
        key="without_role",
        title=_("Accounts without a role"),
        explanation=_("Records by staff accounts that had no role at the time, or have none now."),
        columns=[_("Staff"), _("Role at the time"), _("Records"), _("Different people"), _("Last (UTC)")],
        rows=[
            ReportRow(
                cells=[
                    row["actor_username"],
                    _role(row["actor_role"]),
                    str(row["records"]),
                    str(row["people"]),
                    utc_text(row["last"]),
                ],
                query=_list_query(month, actor=row["actor_username"]),
            )
            for row in rows
        ],
    )


SECTIONS: tuple[Callable[[ReviewMonth, QuerySet], ReportSection], ...] = (
    _section_off_hours,
    _section_many_people,
    _section_downloads,
    _section_repeated,
    _section_purposes,
    _section_without_role,
)


def access_review_report(*, month: ReviewMonth, user=None) -> AccessReviewReport:
    """The review of one month (Korean calendar month). `user` is the auditor or administrator asking;
    None is an operator's command on the server."""
    if user is not None:
        staff_require(user=user, permission=Permission.ACCESS_RECORDS_REVIEW)
    records = month_records(month)
    return AccessReviewReport(month=month, sections=[section(month, records) for section in SECTIONS])
