"""The monthly review report of the access records (issue 5): each rule flags what it should and
nothing else, in Korean time (hours, days, the month's bounds), on the page and by the command.

One month of records, March 2026 (1 March is a Sunday), is written through the service and then
moved to chosen times with the trigger off and the chain resealed (tests/audit/tampering.py). The
thresholds are lowered so that a handful of records is enough: more than 2 views off hours, more than
2 people in a day, the same person more than 3 times."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from audit.models import AccessAction, AccessPurpose, AccessRecord, ActorType
from audit.report import (
    ReviewMonth,
    access_review_report,
    access_without_role,
    downloads,
    many_people_in_a_day,
    month_records,
    off_hours_viewers,
    repeated_views_of_one_person,
    reviewed_purposes,
)
from audit.services import access_log_verify, access_record_write
from issuance.services import code_issue
from staff.periods import KOREA
from staff.roles import Role
from staff.services import StaffForbidden, staff_role_remove
from tests.audit.tampering import place_at
from tests.factories import ONLINE, HolderDetailsFactory
from tests.staff.conftest import sign_in

MARCH = ReviewMonth(2026, 3)
REPORT = "/staff/access-records/report/"
VIEW, PRINT, CHANGE, DOWNLOAD = AccessAction.VIEW, AccessAction.PRINT, AccessAction.CHANGE, AccessAction.DOWNLOAD
COUNTER, AUDIT = AccessPurpose.COUNTER_REQUEST, AccessPurpose.AUDIT


@pytest.fixture(autouse=True)
def _thresholds(settings):
    settings.PCC_ACCESS_REVIEW_OFF_HOURS_VIEWS = 2
    settings.PCC_ACCESS_REVIEW_PEOPLE_PER_DAY = 2
    settings.PCC_ACCESS_REVIEW_REPEAT_VIEWS = 3
    settings.PCC_ACCESS_REVIEW_OFFICE_HOURS_START = 9
    settings.PCC_ACCESS_REVIEW_OFFICE_HOURS_END = 18


def kst(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, second, tzinfo=KOREA)


class Month:
    """Writes records through the service and remembers when each should have happened."""

    def __init__(self):
        self.times: dict[AccessRecord, datetime.datetime] = {}

    def add(self, user, when, holder=None, action=VIEW, purpose=COUNTER, **extra) -> AccessRecord:
        record = access_record_write(
            user=user,
            ip_address="192.0.2.20",
            action=action,
            purpose=purpose,
            record_type=extra.pop("record_type", "holder" if holder else "access_records"),
            record_id=str(holder.pk) if holder else "",
            holder=holder,
            fields=["name"],
            **extra,
        )
        self.times[record] = when
        return record

    def place(self) -> None:
        place_at(self.times)


@pytest.fixture
def holders(db):
    return [code_issue(details=HolderDetailsFactory(), actor=ONLINE).holder for _ in range(4)]


@pytest.fixture
def march(make_staff, seoul, incheon, auditor, holders):
    """Every pattern once, and its near misses."""
    h0, h1, h2, h3 = holders
    night = make_staff(Role.COUNTER_OFFICER, seoul, "night.owl")
    day = make_staff(Role.COUNTER_OFFICER, seoul, "day.worker")
    busy = make_staff(Role.COUNTER_OFFICER, incheon, "busy.officer")
    repeat = make_staff(Role.SUPERVISOR, seoul, "repeat.super")
    gone = make_staff(Role.COUNTER_OFFICER, seoul, "gone.officer")
    no_role = get_user_model().objects.create_user(username="norole.user")
    m = Month()
    found = {}

    # Off hours: night.owl views 3 times off hours (flagged: more than 2) ...
    m.add(night, kst(3, 2, 8, 59, 59), h0)  # Monday, a second before nine
    m.add(night, kst(3, 2, 18, 0, 0), h1)  # Monday, six o'clock sharp
    m.add(night, kst(3, 7, 12), h2)  # Saturday noon
    m.add(night, kst(3, 3, 10), h0)  # in hours
    # ... day.worker only twice (not flagged): nine and 17:59:59 are office hours in Korea (00:00 and
    # 08:59 UTC); a change and a view naming nobody are not views of a person; February and 1 April
    # (31 March in UTC) are other months.
    m.add(day, kst(3, 2, 9, 0, 0), h0)
    m.add(day, kst(3, 2, 17, 59, 59), h1)
    m.add(day, kst(3, 8, 10), h0)  # Sunday
    m.add(day, kst(3, 4, 20), h1, action=PRINT)
    m.add(day, kst(3, 4, 21), h1, action=CHANGE, purpose=AccessPurpose.CORRECTION)
    m.add(day, kst(3, 5, 22), None, record_type="person_search")
    m.add(day, kst(2, 27, 23), h0)
    m.add(day, kst(4, 1, 0, 30), h0)
    # The auditor reads the access records at the weekend: not a view of a person.
    for minute in range(3):
        m.add(auditor, kst(3, 7, 22, minute), None, purpose=AUDIT)

    # Many people in a day: busy.officer sees 3 people on 3 March (flagged) ...
    m.add(busy, kst(3, 3, 10), h0)
    m.add(busy, kst(3, 3, 11), h1)
    m.add(busy, kst(3, 3, 12), h2)
    # ... and 2 on 4 March and 1 on 5 March, which in UTC would all be 4 March.
    m.add(busy, kst(3, 4, 16), h0)
    m.add(busy, kst(3, 4, 17), h1)
    m.add(busy, kst(3, 5, 8, 30), h2)

    # The same person again and again: repeat.super views h3 4 times (flagged), h2 3 times (not).
    found["misuse"] = m.add(repeat, kst(3, 9, 10), h3, purpose=AccessPurpose.MISUSE_INVESTIGATION)
    for day_of_month in (10, 11, 12):
        m.add(repeat, kst(3, day_of_month, 10), h3)
    for day_of_month in (9, 10, 11):
        m.add(repeat, kst(3, day_of_month, 11), h2)

    # Downloads: every one in March, whoever made it; not April's.
    found["export"] = m.add(auditor, kst(3, 10, 10), None, action=DOWNLOAD, purpose=AUDIT, reason="Quarterly audit")
    found["download"] = m.add(day, kst(3, 5, 10), h0, action=DOWNLOAD)
    m.add(auditor, kst(4, 2, 10), None, action=DOWNLOAD, purpose=AUDIT, reason="April audit")

    # Purposes listed for review: a data-subject request (a change) and the misuse view above; not
    # February's misuse investigation nor a correction.
    found["subject_request"] = m.add(
        night, kst(3, 3, 10, 30), h1, action=CHANGE, purpose=AccessPurpose.DATA_SUBJECT_REQUEST
    )
    m.add(night, kst(2, 20, 10), h1, purpose=AccessPurpose.MISUSE_INVESTIGATION)

    # Without a role: gone.officer's role is removed after March; norole.user never had one.
    m.add(gone, kst(3, 13, 10), h0)
    m.add(no_role, kst(3, 13, 11), h1)
    access_record_write(
        user=None,
        ip_address=None,
        action=VIEW,
        purpose=AUDIT,
        record_type="access_review_report",
        actor_type=ActorType.SYSTEM,
        actor_name="system",
    )

    m.place()
    staff_role_remove(user=gone)
    assert access_log_verify().intact
    return {"holders": holders, **found}


def test_off_hours_rule_flags_only_more_than_the_threshold_in_korean_hours(march):
    rows = off_hours_viewers(month_records(MARCH), threshold=2, start_hour=9, end_hour=18)
    assert [(row["actor_username"], row["views"], row["people"]) for row in rows] == [("night.owl", 3, 3)]


def test_off_hours_threshold_is_strictly_more_than(march):
    rows = off_hours_viewers(month_records(MARCH), threshold=1, start_hour=9, end_hour=18)
    assert {row["actor_username"]: row["views"] for row in rows} == {"night.owl": 3, "day.worker": 2}


def test_many_people_rule_counts_different_people_per_korean_day(march):
    rows = many_people_in_a_day(month_records(MARCH), threshold=2)
    assert [(row["actor_username"], row["day"], row["people"]) for row in rows] == [
        ("busy.officer", datetime.date(2026, 3, 3), 3)
    ]


def test_downloads_rule_lists_every_download_of_the_month(march):
    assert downloads(month_records(MARCH)) == [march["export"], march["download"]]


def test_repeated_views_rule_flags_the_same_person_by_the_same_staff_member(march):
    rows = repeated_views_of_one_person(month_records(MARCH), threshold=3)
    assert [(row["actor_username"], row["holder"], row["views"]) for row in rows] == [
        ("repeat.super", march["holders"][3].pk, 4)
    ]


def test_reviewed_purposes_rule_lists_misuse_investigations_and_data_subject_requests(march):
    assert reviewed_purposes(month_records(MARCH)) == [march["misuse"], march["subject_request"]]


def test_without_role_rule_lists_accounts_that_lost_or_never_had_a_role(march):
    rows = access_without_role(month_records(MARCH))
    assert [(row["actor_username"], row["actor_role"], row["records"]) for row in rows] == [
        ("gone.officer", Role.COUNTER_OFFICER, 1),
        ("norole.user", "", 1),
    ]


def test_month_is_the_korean_calendar_month():
    assert MARCH.start == kst(3, 1, 0)
    assert MARCH.end == kst(4, 1, 0)
    assert MARCH.start.astimezone(datetime.UTC) == datetime.datetime(2026, 2, 28, 15, tzinfo=datetime.UTC)
    assert (MARCH.first_day, MARCH.last_day) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert ReviewMonth(2026, 12).end == datetime.datetime(2027, 1, 1, tzinfo=KOREA)


@pytest.mark.parametrize(
    ("today", "expected"), [(datetime.date(2026, 4, 1), "2026-03"), (datetime.date(2026, 1, 15), "2025-12")]
)
def test_default_month_is_the_last_whole_month(today, expected):
    assert str(ReviewMonth.previous(today)) == expected


@pytest.mark.parametrize("text", ["2026-3", "2026-13", "2026-00", "March", "", "26-03", "2026-03-01", "２０２６-03"])
def test_month_parse_refuses_anything_but_yyyy_mm(text):
    with pytest.raises(ValueError):
        ReviewMonth.parse(text)


def test_report_has_one_section_per_rule_with_what_each_flags(march):
    report = access_review_report(month=MARCH)
    rows = {section.key: [row.cells for row in section.rows] for section in report.sections}
    assert list(rows) == ["off_hours", "many_people", "downloads", "repeated", "purposes", "without_role"]
    assert [cells[:3] for cells in rows["off_hours"]] == [["night.owl", "3", "3"]]
    assert rows["many_people"] == [["busy.officer", "2026-03-03", "3", "3"]]
    assert [cells[0] for cells in rows["downloads"]] == [
        f"#{march['export'].sequence}",
        f"#{march['download'].sequence}",
    ]
    assert [cells[:3] for cells in rows["repeated"]] == [["repeat.super", str(march["holders"][3].pk), "4"]]
    assert [cells[0] for cells in rows["purposes"]] == [
        f"#{march['misuse'].sequence}",
        f"#{march['subject_request'].sequence}",
    ]
    assert [cells[:2] for cells in rows["without_role"]] == [
        ["gone.officer", "Counter officer"],
        ["norole.user", "no role"],
    ]
    assert report.flagged == 9


def test_report_rows_link_to_the_records_behind_them(march):
    report = access_review_report(month=MARCH)
    many = next(section for section in report.sections if section.key == "many_people")
    assert many.rows[0].query == "date_from=2026-03-03&date_to=2026-03-03&actor=busy.officer"
    repeated = next(section for section in report.sections if section.key == "repeated")
    assert f"holder={march['holders'][3].pk}" in repeated.rows[0].query


def test_report_uses_the_thresholds_from_settings(march, settings):
    settings.PCC_ACCESS_REVIEW_OFF_HOURS_VIEWS = 3
    settings.PCC_ACCESS_REVIEW_REPEAT_VIEWS = 4
    report = access_review_report(month=MARCH)
    counts = {section.key: len(section.rows) for section in report.sections}
    assert (counts["off_hours"], counts["repeated"]) == (0, 0)


def test_a_quiet_month_has_nothing_unusual(march):
    report = access_review_report(month=ReviewMonth(2026, 1))
    assert report.flagged == 0


def test_report_refuses_a_counter_officer(officer):
    with pytest.raises(StaffForbidden):
        access_review_report(month=MARCH, user=officer)


# --- the page -----------------------------------------------------------------------------------------


@pytest.fixture
def english_auditor(auditor):
    return sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), auditor)


def test_report_page_shows_a_section_per_rule_and_records_the_view(english_auditor, auditor, march):
    before = AccessRecord.objects.count()
    response = english_auditor.get(REPORT, {"month": "2026-03"})
    assert response.status_code == 200, response.content.decode()[:3000]
    page = response.content.decode()
    for title in ("Views outside office hours", "Many people in one day", "Downloads and exports"):
        assert title in page
    assert "night.owl" in page and "busy.officer" in page and "Quarterly audit" in page
    assert "date_from=2026-03-03&amp;date_to=2026-03-03&amp;actor=busy.officer" in page
    assert AccessRecord.objects.count() == before + 1
    record = AccessRecord.objects.latest("sequence")
    assert (record.actor_user, record.action, record.purpose, record.record_type, record.record_id) == (
        auditor,
        AccessAction.VIEW,
        AccessPurpose.AUDIT,
        "access_review_report",
        "2026-03",
    )
    assert access_log_verify().intact


def test_report_page_says_nothing_unusual_for_a_quiet_month(english_auditor, march):
    page = english_auditor.get(REPORT, {"month": "2026-01"}).content.decode()
    assert page.count("Nothing unusual.") == 6


def test_report_page_without_a_month_shows_the_last_whole_month(english_auditor, db):
    response = english_auditor.get(REPORT)
    assert response.status_code == 200
    assert response.context["report"].month == ReviewMonth.previous()


@pytest.mark.parametrize("month", ["2026-13", "March", "", "1999-12", "2026-03'--"])
def test_report_page_refuses_a_bad_month_with_400(english_auditor, month):
    before = AccessRecord.objects.count()
    response = english_auditor.get(REPORT, {"month": month})
    assert response.status_code == 400
    assert response.context["report"] is None
    assert AccessRecord.objects.count() == before


def test_report_page_refuses_officers(officer_client):
    assert officer_client.get(REPORT, {"month": "2026-03"}).status_code == 403


# --- the command --------------------------------------------------------------------------------------


def test_report_command_prints_each_section_and_records_the_reading(march):
    out = StringIO()
    call_command("access_review_report", "--month", "2026-03", stdout=out)
    text = out.getvalue()
    assert text.startswith("Access review report for 2026-03 (2026-03-01 to 2026-03-31")
    assert "== Views outside office hours (1)" in text
    assert "night.owl | 3 | 3 |" in text
    assert "== Many people in one day (1)" in text
    assert "busy.officer | 2026-03-03 | 3 | 3" in text
    assert text.rstrip().endswith("9 entries to review.")
    record = AccessRecord.objects.latest("sequence")
    assert (record.actor_type, record.purpose, record.record_id) == (ActorType.SYSTEM, AccessPurpose.AUDIT, "2026-03")
    assert access_log_verify().intact


def test_report_command_quiet_month(db):
    out = StringIO()
    call_command("access_review_report", "--month", "2026-01", stdout=out)
    assert out.getvalue().count("Nothing unusual.") == 6


def test_report_command_refuses_a_bad_month(db):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("access_review_report", "--month", "2026-13")
