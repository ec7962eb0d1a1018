"""Spreadsheets of checks through real `celery worker` processes on a real Redis broker (issue 7:
"100,000-row file verified end to end through a real worker in the test suite's integration tier").

The elapsed time is printed, not asserted: speed is benchmarked (bench/bulk.py, docs/BENCHMARKS.md),
never tested. What is asserted is that every row comes back with the result it should have — the
per-code lockout included, with the rows shared out between two workers — and that a worker killed
mid-job costs nothing: the job finishes and no row is checked twice."""

import csv
import io
import time

import pytest
from django.test import override_settings

from clearance import matching
from clearance.models import BulkStatus, BulkVerification, CodeCheck
from clearance.services import api_client_create
from issuance.services import code_issue
from tests.factories import ONLINE, HolderDetailsFactory
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HOLDERS = 300
LOCKED_HOLDER = 1  # its first 12 rows guess the name: 10 mismatches, then locked for the rest
VISIBILITY_TIMEOUT = 5


def _people():
    people = []
    for _ in range(HOLDERS):
        details = HolderDetailsFactory()
        code = code_issue(details=details, actor=ONLINE)
        people.append([code.number, details.name, details.mobile, details.postcode])
    return people


def _rows(people, count: int) -> tuple[list[list[str]], list[tuple[str, str]]]:
    """Rows cycling through the holders, and the (result, reasons) each should get."""
    rows, expected = [], []
    for number in range(count):
        holder, occurrence = number % HOLDERS, number // HOLDERS
        code, name, phone, postcode = people[holder]
        row = [code, name, phone, postcode, f"ORDER-{number}"]
        if number % 97 == 0:
            row[0] = f"X{number}"
            outcome = ("refused", matching.CODE_FORMAT)
        elif holder == LOCKED_HOLDER and occurrence < 12:
            row[1] = "GUESSED NAME"
            outcome = ("mismatch", matching.NAME_MISMATCH) if occurrence < 10 else ("refused", matching.CODE_LOCKED)
        elif holder == LOCKED_HOLDER:
            outcome = ("refused", matching.CODE_LOCKED)  # even the right details, once locked
        elif holder % 3 == 0 and occurrence < 3:
            row[2] = "010-0000-0000"
            outcome = ("mismatch", matching.PHONE_MISMATCH)  # 3 per code: far from a lockout
        else:
            outcome = ("match", "")
        rows.append(row)
        expected.append(outcome)
    return rows, expected


def _upload(client, key, rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["pcc", "name", "phone", "postcode", "order"], *rows])
    upload = io.BytesIO(buffer.getvalue().encode())
    upload.name = "orders.csv"
    response = client.post("/api/v1/bulk-verifications", {"file": upload}, HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 202, response.content
    return response.json()


def _job(job_id) -> BulkVerification:
    return BulkVerification.objects.get(pk=job_id)


def test_100000_rows_are_checked_by_two_workers_and_every_row_gets_its_result(client, notice_workers):
    people = _people()
    rows, expected = _rows(people, 100_000)
    forwarder, key = api_client_create(name="Forwarder with a big sheet", scopes=["bulk"])
    notice_workers(2)

    started = time.perf_counter()
    body = _upload(client, key, rows)
    uploaded = time.perf_counter()
    wait_for(lambda: _job(body["id"]).status in (BulkStatus.DONE, BulkStatus.FAILED), timeout=300, what="the job")
    done = time.perf_counter()
    response = client.get(body["result_url"], HTTP_AUTHORIZATION=f"Api-Key {key}")
    downloaded = time.perf_counter()
    print(
        f"\n100,000 rows, 2 workers: upload {uploaded - started:.1f} s, checking {done - uploaded:.1f} s, "
        f"download {downloaded - done:.1f} s, total {downloaded - started:.1f} s"
    )

    job = _job(body["id"])
    assert (job.status, job.rows_done, job.rows_total) == (BulkStatus.DONE, 100_000, 100_000)
    assert job.chunks_total == 50
    assert response.status_code == 200
    returned = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert returned[0] == ["pcc", "name", "phone", "postcode", "order", "result", "reason", "message"]
    assert len(returned) == 100_001
    assert [row[4] for row in returned[1:]] == [f"ORDER-{number}" for number in range(100_000)]  # file order
    assert [(row[5], row[6]) for row in returned[1:]] == expected
    assert all(row[7] for row in returned[1:])
    assert job.rows_matched == sum(1 for result, _reasons in expected if result == "match")
    # Every row logged once, whichever worker checked it.
    assert CodeCheck.objects.filter(client=forwarder, channel="bulk").count() == 100_000


def test_a_worker_killed_mid_job_leaves_the_rest_to_the_next_and_no_row_is_checked_twice(client, notice_workers):
    people = _people()
    rows, _expected = _rows(people, 40_000)
    forwarder, key = api_client_create(name="Forwarder whose worker died", scopes=["bulk"])
    env = {"CELERY_VISIBILITY_TIMEOUT": VISIBILITY_TIMEOUT}
    (first,) = notice_workers(1, **env)

    with override_settings(BULK_VERIFICATION_CHUNK_ROWS=1000, BULK_VERIFICATION_PARALLEL_TASKS=1):
        body = _upload(client, key, rows)
    wait_for(lambda: _job(body["id"]).rows_done > 0, timeout=60, what="the first chunk", interval=0.02)
    first.kill()
    killed_at = time.monotonic()
    job = _job(body["id"])
    assert job.status == BulkStatus.RUNNING and 0 < job.rows_done < job.rows_total

    # Not acknowledged (acks_late): after the visibility timeout Redis gives the run to the next worker,
    # which carries on with the chunks left; the one being checked at the kill was rolled back.
    time.sleep(max(0.0, killed_at + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
    notice_workers(1, **env)
    wait_for(lambda: _job(body["id"]).status == BulkStatus.DONE, timeout=120, what="the job to be finished")

    job = _job(body["id"])
    assert (job.rows_done, job.rows_total) == (40_000, 40_000)
    assert CodeCheck.objects.filter(client=forwarder, channel="bulk").count() == 40_000
    assert client.get(body["result_url"], HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 200
