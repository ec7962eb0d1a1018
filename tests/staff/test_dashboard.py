"""The review dashboard (issue 5): issuances per day by channel, reissues and theft reports per day,
verification success rate by method, codes by status, codes expiring in the next 30 days — as
server-drawn SVG charts with the same numbers in accessible tables, counted by the database."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from issuance.demo import _registry_person_ensure
from issuance.models import SuspensionReason, TerminationReason, VerificationMethod
from issuance.services import ReissueReason, code_issue, code_reissue, code_suspend, code_terminate
from staff.charts import Series, day_chart, nice_ceiling
from staff.review import MethodRate, dashboard_figures
from staff.roles import Role
from staff.services import staff_actor, staff_profile_of
from tests.factories import ONLINE, HolderDetailsFactory
from tests.staff.conftest import sign_in
from tests.verification.phone_support import NGUYEN, TANAKA, check_for, facts, latest_code
from verification.certificates import certificate_challenge_create
from verification.mobile import mobile_challenge_confirm, mobile_challenge_start
from verification.models import MethodAttempt
from verification.simple import push_request_decide, simple_request_start, simple_request_status

KOREA = ZoneInfo("Asia/Seoul")
DASHBOARD = "/staff/review/dashboard/"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _counter_issue(user):
    actor = staff_actor(staff_profile_of(user), method=VerificationMethod.ALIEN_REGISTRATION_CARD)
    return code_issue(details=HolderDetailsFactory(), actor=actor)


def _online_issue():
    return code_issue(details=HolderDetailsFactory(), actor=ONLINE)


def _row(page: str, table_id: str, header: str) -> list[str]:
    """The cells of the row headed `header` in the table with this id."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S).group(0)
    row = re.search(rf'<th scope="row">{re.escape(header)}</th>(.*?)</tr>', table, re.S).group(1)
    return re.findall(r"<td>(.*?)</td>", row)


def _today() -> str:
    return f"{timezone.localdate():%Y-%m-%d}"


def test_issuances_per_day_by_channel_are_in_the_table(administrator_client, officer):
    for _ in range(3):
        _online_issue()
    for _ in range(2):
        _counter_issue(officer)

    page = administrator_client.get(DASHBOARD).content.decode()

    # Online, counter, system, total.
    assert _row(page, "table-issuances", _today()) == ["3", "2", "0", "5"]
    yesterday = f"{timezone.localdate() - datetime.timedelta(days=1):%Y-%m-%d}"
    assert _row(page, "table-issuances", yesterday) == ["0", "0", "0", "0"]


def test_issuances_are_counted_on_their_korean_day(administrator, monkeypatch):
    # 08:30 in Seoul on the 2nd is 23:30 UTC on the 1st: the Korean day counts.
    moment = datetime.datetime(2026, 3, 2, 8, 30, tzinfo=KOREA)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    _online_issue()
    monkeypatch.undo()

    figures = dashboard_figures(user=administrator, today=datetime.date(2026, 3, 2))
    assert figures.days[-1] == datetime.date(2026, 3, 2)
    assert len(figures.days) == 30
    assert figures.issuances["online"][-1] == 1
    assert sum(figures.issuances["online"]) == 1


def test_reissues_and_theft_reports_per_day(administrator_client):
    reissued, stolen, suspended = _online_issue(), _online_issue(), _online_issue()
    code_reissue(code=reissued, reason=ReissueReason.LOST, actor=ONLINE)
    code_suspend(code=stolen, reason=SuspensionReason.THEFT_REPORT, actor=ONLINE)
    # An ex officio suspension is not a theft report.
    code_suspend(code=suspended, reason=SuspensionReason.EX_OFFICIO, actor=ONLINE)

    page = administrator_client.get(DASHBOARD).content.decode()
    assert _row(page, "table-reissues", _today()) == ["1", "1"]
    # The reissue is not an issuance.
    assert _row(page, "table-issuances", _today()) == ["3", "0", "0", "3"]


def test_success_rate_counts_every_start_and_each_verification(
    administrator_client, django_capture_on_commit_callbacks
):
    for person in (TANAKA, NGUYEN):
        _registry_person_ensure(person)
    tanaka_check = check_for(TANAKA)
    with django_capture_on_commit_callbacks(execute=True):
        challenge = mobile_challenge_start(check=tanaka_check, channel="sms", **facts(TANAKA))
    with django_capture_on_commit_callbacks(execute=True):
        # A second code for the same check is the same attempt.
        challenge = mobile_challenge_start(check=tanaka_check, channel="sms", **facts(TANAKA))
    mobile_challenge_confirm(challenge=challenge, code=latest_code(TANAKA))
    # NGUYEN starts and never finishes: a start without success.
    with django_capture_on_commit_callbacks(execute=True):
        mobile_challenge_start(check=check_for(NGUYEN), channel="sms", **facts(NGUYEN))
    certificate_challenge_create(check=check_for(NGUYEN))

    assert MethodAttempt.objects.filter(method="mobile").count() == 2
    page = administrator_client.get(DASHBOARD).content.decode()
    assert _row(page, "table-rates", "Mobile phone") == ["2", "1", "50 %"]
    assert _row(page, "table-rates", "Joint or financial certificate") == ["1", "0", "0 %"]
    # Nothing started: no data, not a rate of 0.
    assert _row(page, "table-rates", "Simple certification") == ["0", "0", "no data"]


def test_a_simple_certification_start_is_counted_and_its_approval_verifies_it(administrator):
    _registry_person_ensure(TANAKA)
    check = check_for(TANAKA)
    person = facts(TANAKA)
    push = simple_request_start(
        check=check, provider="kakao", name=person["name"], birth_date=person["birth_date"], phone=person["phone"]
    )
    assert dashboard_figures(user=administrator).method_rates[2] == MethodRate("simple", "Simple certification", 1, 0)

    push_request_decide(push=push, approve=True)
    simple_request_status(request_id=push.pk, check=check)
    assert dashboard_figures(user=administrator).method_rates[2].percent == 100


def test_codes_by_status(administrator_client):
    _online_issue()
    suspended, terminated = _online_issue(), _online_issue()
    code_suspend(code=suspended, reason=SuspensionReason.THEFT_REPORT, actor=ONLINE)
    code_terminate(code=terminated, reason=TerminationReason.VOLUNTARY, actor=ONLINE)

    page = administrator_client.get(DASHBOARD).content.decode()
    assert _row(page, "table-statuses", "In use") == ["1"]
    assert _row(page, "table-statuses", "Suspended") == ["1"]
    assert _row(page, "table-statuses", "Expired") == ["0"]
    assert _row(page, "table-statuses", "Terminated") == ["1"]
    assert _row(page, "table-statuses", "Total") == ["3"]


def test_codes_in_use_expiring_in_the_next_30_days(administrator_client, monkeypatch):
    today = timezone.localdate()
    # A code issued a little under a year ago expires within the month; one issued today does not.
    issued = timezone.now() - datetime.timedelta(days=355)
    monkeypatch.setattr(timezone, "now", lambda: issued)
    soon, suspended = _online_issue(), _online_issue()
    code_suspend(code=suspended, reason=SuspensionReason.THEFT_REPORT, actor=ONLINE)
    monkeypatch.undo()
    _online_issue()
    soon.refresh_from_db()
    assert today <= soon.expires_on <= today + datetime.timedelta(days=29)

    response = administrator_client.get(DASHBOARD)
    page = response.content.decode()
    # Only the code in use counts; the suspended one expiring the same day does not.
    assert _row(page, "table-expiring", f"{soon.expires_on:%Y-%m-%d}") == ["1"]
    assert sum(response.context["figures"].expiring) == 1


def test_supervisor_sees_the_figures_of_their_office(client, supervisor, officer, make_staff, incheon):
    incheon_officer = make_staff(Role.COUNTER_OFFICER, incheon, "officer.test.incheon")
    _counter_issue(officer)
    _counter_issue(officer)
    incheon_code = _counter_issue(incheon_officer)
    code_reissue(code=incheon_code, reason=ReissueReason.LOST, actor=staff_actor(staff_profile_of(incheon_officer)))
    _online_issue()

    page = sign_in(client, supervisor).get(DASHBOARD).content.decode()
    assert _row(page, "table-issuances", _today()) == ["0", "2", "0", "2"]
    assert _row(page, "table-reissues", _today()) == ["0", "0"]
    # Codes of Seoul only: two in use.
    assert _row(page, "table-statuses", "Total") == ["2"]
    assert "Figures of your office" in page

    admin_page = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff(Role.ADMINISTRATOR)).get(DASHBOARD)
    assert _row(admin_page.content.decode(), "table-issuances", _today()) == ["1", "3", "0", "4"]


def test_counter_officer_cannot_open_the_dashboard(officer_client):
    assert officer_client.get(DASHBOARD).status_code == 403


def test_charts_are_inline_svg_images_with_labels_and_no_style_attributes(administrator_client, officer):
    _online_issue()
    _counter_issue(officer)
    page = administrator_client.get(DASHBOARD).content.decode()

    svgs = re.findall(r"<svg[^>]*>", page)
    charts = [tag for tag in svgs if 'class="review-chart"' in tag]
    assert len(charts) == 5
    for tag in charts:
        assert 'role="img"' in tag
        assert re.search(r'aria-label="[^"]{10,}"', tag)
    assert "<rect" in page
    assert " style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    # Every table has a caption and headers with a scope.
    assert page.count("<caption") >= 5
    assert '<th scope="col">' in page and '<th scope="row">' in page


def test_dashboard_counts_in_the_database_not_row_by_row(administrator):
    """The number of queries does not grow with the number of events and codes."""
    _online_issue()
    with CaptureQueriesContext(connection) as few:
        dashboard_figures(user=administrator)
    for _ in range(5):
        _online_issue()
    with CaptureQueriesContext(connection) as many:
        dashboard_figures(user=administrator)
    assert len(many) == len(few)


# --- Chart geometry -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (180, 200)])
def test_value_axis_tops_at_a_round_number(value, top):
    assert nice_ceiling(value) == top


def test_stacked_bars_are_proportional_and_zero_draws_nothing():
    days = [datetime.date(2026, 3, 1), datetime.date(2026, 3, 2)]
    chart = day_chart(
        label="test",
        days=days,
        series=[Series("a", "A", [5, 0], "a"), Series("b", "B", [5, 0], "b")],
        stacked=True,
    )
    assert len(chart.bars) == 2  # the empty day has no bar
    a, b = chart.bars
    assert a.height == b.height
    assert a.x == b.x
    assert b.y + b.height == pytest.approx(a.y)  # b sits on a
    assert a.height + b.height == pytest.approx(240 - 12 - 28)  # the day's total fills the axis (top 10)
