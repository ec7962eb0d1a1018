"""The staff page of partners' spreadsheet jobs (issue 7: "a staff page shows jobs with a progress
bar"): who sent what, its status and progress in a <progress> bar and in words, never a row; it
reloads itself without script while a job runs; administrators and auditors only."""

import io
import re

import pytest
from django.test import override_settings

from audit.models import AccessRecord
from clearance import bulk
from clearance.services import api_client_create
from issuance.services import code_issue
from staff.roles import Role
from tests.factories import ONLINE, HolderDetailsFactory
from tests.staff.conftest import sign_in

PAGE = "/staff/bulk-jobs/"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def details():
    return HolderDetailsFactory(name="SECRET CONSIGNEE NAME")


@pytest.fixture
def job(db, details):
    """A job of 5 rows, 2 of its 3 chunks checked: 2 rows done, 1 matched."""
    code = code_issue(details=details, actor=ONLINE)
    client, _key = api_client_create(name="Forwarder Park", scopes=["bulk"])
    lines = ["pcc,name,phone,postcode", f"{code.number},{details.name},{details.mobile},{details.postcode}"]
    lines += [f"bad{n},x,y,z" for n in range(4)]
    upload = io.BytesIO("\r\n".join(lines).encode())
    upload.name = "november-orders.csv"
    with override_settings(BULK_VERIFICATION_CHUNK_ROWS=2):
        job = bulk.bulk_verification_create(client=client, upload=upload)
    return job


def _run_part(job, chunks: int):
    from clearance.models import BulkStatus, BulkVerification

    BulkVerification.objects.filter(pk=job.pk).update(status=BulkStatus.RUNNING)
    running = BulkVerification.objects.select_related("client", "data_key").get(pk=job.pk)
    for _chunk in range(chunks):
        assert bulk._chunk_check_next(job=running)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.AUDITOR])
def test_jobs_are_listed_with_progress_bar_and_numbers_in_words(client, make_staff, job, role, details):
    _run_part(job, 2)
    job.refresh_from_db()
    sign_in(client, make_staff(role))
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Forwarder Park" in page and "november-orders.csv" in page and "Running" in page
    assert re.search(rf'<progress [^>]*max="5" value="{job.rows_done}"', page)
    assert f"{job.rows_done} of 5 rows ({bulk.bulk_verification_percent(job)}%)" in page
    # No row is ever shown, so opening the page is no access to personal data (no access record).
    assert details.name not in page and "bad0" not in page
    assert not AccessRecord.objects.filter(actor_username=f"{role}.1").exists()


def test_page_reloads_itself_without_script_only_while_a_job_runs(client, make_staff, job):
    sign_in(client, make_staff(Role.ADMINISTRATOR))
    assert '<meta http-equiv="refresh" content="10">' in client.get(PAGE).content.decode()
    bulk.bulk_verification_run(job_id=job.pk)
    page = client.get(PAGE).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "Done" in page and "5 of 5 rows (100%)" in page
    assert "<script>" not in page


@pytest.mark.parametrize("role", [Role.COUNTER_OFFICER, Role.SUPERVISOR])
def test_office_roles_cannot_see_the_jobs(client, make_staff, seoul, role, job):
    sign_in(client, make_staff(role, seoul))
    assert client.get(PAGE).status_code == 403


def test_signed_out_staff_are_sent_to_sign_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_the_menu_links_the_page_for_those_who_may_see_it(client, make_staff):
    sign_in(client, make_staff(Role.AUDITOR))
    assert f'href="{PAGE}"' in client.get("/staff/").content.decode()
