"""Spreadsheets of checks (issue 7, "bulk verification"): a malformed FILE is a 400 in both
languages; a malformed ROW is that row's result and never stops the job; the result comes back in the
uploaded format with result, reason and message columns; the per-code lockout holds within one
spreadsheet; a job is its own client's; the rows are sealed at rest and removed after 7 days.

Tasks run in-process here (CELERY_TASK_ALWAYS_EAGER): the job runs when the upload's transaction
commits. tests/integration/test_bulk_worker.py runs 100,000 rows through real workers."""

import base64
import csv
import datetime
import io

import openpyxl
import pytest
from django.test import override_settings
from django.utils import timezone

from clearance import bulk, matching, spreadsheets
from clearance.models import BulkStatus, BulkVerification, BulkVerificationChunk, CheckChannel, CodeCheck
from clearance.services import api_client_create
from issuance.codes import verhoeff_check_digit
from issuance.models import Holder
from issuance.services import code_issue
from personal_data.models import DataKey
from tests.factories import ONLINE, HolderDetailsFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/bulk-verifications"
HEADER = ["pcc", "name", "phone", "postcode"]
UNKNOWN_CODE = "P26999999999" + verhoeff_check_digit("26999999999")


def upload(client, key, content: bytes, name: str = "orders.csv", **headers):
    file = io.BytesIO(content)
    file.name = name
    return client.post(URL, {"file": file}, HTTP_AUTHORIZATION=f"Api-Key {key}", **headers)


def get(client, url, key):
    return client.get(url, HTTP_AUTHORIZATION=f"Api-Key {key}")


def csv_bytes(rows, *, encoding="utf-8", delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def result_rows(response) -> list[list[str]]:
    if response["Content-Type"].startswith("text/csv"):
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:])))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [
        ["" if cell is None else str(cell) for cell in row]
        for row in workbook.worksheets[0].iter_rows(values_only=True)
    ]


@pytest.fixture
def row(issued_code, details):
    """A row that matches the issued code's holder."""
    return [issued_code.number, details.name, details.mobile, details.postcode]


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Upload and let the job run when the upload commits, as a worker would right after."""

    def send(client, key, content, name="orders.csv", **headers):
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(client, key, content, name, **headers)
        return response

    return send


def checked(client, key, content, run_jobs, name="orders.csv", **headers):
    response = run_jobs(client, key, content, name, **headers)
    assert response.status_code == 202, response.content
    result = get(client, response.json()["result_url"], key)
    assert result.status_code == 200, result.content
    return result_rows(result)


# --- The API and the result file --------------------------------------------------------------------


def test_upload_answers_202_with_the_job_and_its_addresses(client, api_key, row):
    response = upload(client, api_key, csv_bytes([HEADER, row]))
    assert response.status_code == 202
    body = response.json()
    job = BulkVerification.objects.get()
    assert body["id"] == str(job.pk) and body["status"] == "queued" and body["rows_total"] == 1
    assert body["status_url"].endswith(f"/api/v1/bulk-verifications/{job.pk}")
    assert body["result_url"].endswith(f"/api/v1/bulk-verifications/{job.pk}/result")
    assert response["Location"] == body["status_url"]


def test_status_shows_progress_and_the_result_is_409_until_done(client, api_key, row):
    body = upload(client, api_key, csv_bytes([HEADER, row, row])).json()  # not run: the commit never comes
    status = get(client, body["status_url"], api_key).json()
    assert (status["status"], status["rows_done"], status["rows_total"], status["percent"]) == ("queued", 0, 2, 0)
    response = get(client, body["result_url"], api_key)
    assert response.status_code == 409
    assert response.json()["code"] == bulk.NOT_DONE and set(response.json()["message"]) == {"ko", "en"}

    bulk.bulk_verification_run(job_id=body["id"])
    status = get(client, body["status_url"], api_key).json()
    assert (status["status"], status["rows_done"], status["rows_matched"], status["percent"]) == ("done", 2, 2, 100)
    assert status["finished_at"] is not None
    assert get(client, body["result_url"], api_key).status_code == 200


def test_a_failed_job_has_no_result_and_says_so(client, api_key, row):
    body = upload(client, api_key, csv_bytes([HEADER, row])).json()
    bulk.bulk_verification_fail(job_id=body["id"])
    response = get(client, body["result_url"], api_key)
    assert response.status_code == 409 and response.json()["code"] == bulk.FAILED


def test_result_gives_back_every_column_plus_result_reason_and_message(client, api_key, row, run_jobs):
    rows = checked(
        client,
        api_key,
        csv_bytes([[*HEADER, "order"], [*row, "A-1"], [*row[:1], "WRONG NAME", *row[2:], "A-2"]]),
        run_jobs,
    )
    assert rows[0] == [*HEADER, "order", "result", "reason", "message"]
    assert rows[1][:5] == [*row, "A-1"] and rows[1][5:7] == ["match", ""]
    assert rows[2][5:7] == ["mismatch", matching.NAME_MISMATCH]
    assert rows[1][7] and rows[2][7] and rows[1][7] != rows[2][7]


def test_messages_are_in_korean_unless_the_upload_asked_for_english(client, api_key, row, run_jobs):
    from django.utils import translation

    wrong = [row[0], "WRONG NAME", *row[2:]]
    korean = checked(client, api_key, csv_bytes([HEADER, wrong]), run_jobs)[1][-1]
    english = checked(client, api_key, csv_bytes([HEADER, wrong]), run_jobs, HTTP_ACCEPT_LANGUAGE="en")[1][-1]
    with translation.override("en"):
        assert english == str(matching.REASON_MESSAGES[matching.NAME_MISMATCH])
    with translation.override("ko"):
        assert korean == str(matching.REASON_MESSAGES[matching.NAME_MISMATCH])
    assert BulkVerification.objects.filter(language="ko").count() == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr"])
def test_csv_in_utf8_with_or_without_bom_and_in_korean_excel_encodings(client, api_key, row, run_jobs, encoding):
    rows = checked(
        client,
        api_key,
        csv_bytes(
            [["통관고유부호", "성명", "전화번호", "우편번호", "메모"], [*row, "문 앞에 놓아 주세요"]], encoding=encoding
        ),
        run_jobs,
    )
    assert rows[0][:5] == ["통관고유부호", "성명", "전화번호", "우편번호", "메모"]
    assert rows[1][4:6] == ["문 앞에 놓아 주세요", "match"]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_headers_any_case_and_the_usual_separators(client, api_key, row, run_jobs, delimiter):
    content = csv_bytes([[" PCC", "Name", "PHONE", "PostCode "], row], delimiter=delimiter)
    assert checked(client, api_key, content, run_jobs)[1][4] == "match"


def test_xlsx_comes_back_as_xlsx_and_numbers_that_lost_their_zero_still_match(
    client, api_key, row, run_jobs, issued_code
):
    # Excel keeps 04524 as the number 4524 and 01031234567 as 1031234567 unless told otherwise.
    as_numbers = [row[0], row[1], int(row[2].replace("-", "")), int(row[3])]
    response = run_jobs(client, api_key, xlsx_bytes([HEADER, as_numbers]), "주문.xlsx")
    result = get(client, response.json()["result_url"], api_key)
    assert result["Content-Type"] == bulk._CONTENT_TYPES["xlsx"]
    assert "filename*=utf-8''%EC%A3%BC%EB%AC%B8-result.xlsx" in result["Content-Disposition"]
    rows = result_rows(result)
    assert rows[0] == [*HEADER, "result", "reason", "message"]
    assert rows[1][3:5] == ["4524", "match"]


def test_postcode_with_four_digits_means_the_leading_zero_was_lost():
    assert spreadsheets.postcode_of_cell("4524") == "04524"
    assert spreadsheets.postcode_of_cell("48099") == "48099"
    assert spreadsheets.postcode_of_cell("") == ""


def test_formula_like_cells_are_neutralised_in_the_result(client, api_key, row, run_jobs):
    evil = '=HYPERLINK("http://evil.example","x")'
    rows = checked(
        client, api_key, csv_bytes([[*HEADER, "note"], [*row, evil], ["@SUM(1)", "+1", "-1", "", ""]]), run_jobs
    )
    assert rows[1][4] == "'" + evil
    assert rows[2][:3] == ["'@SUM(1)", "'+1", "'-1"]
    sheet = spreadsheets.xlsx_result([["=1+1", "ok"]])  # the workbook writer neutralises the same way
    cells = list(openpyxl.load_workbook(io.BytesIO(sheet)).active.iter_rows(values_only=True))
    assert cells == [("'=1+1", "ok")]


# --- A malformed file is refused whole, in both languages ------------------------------------------


def _zip_of_nothing() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", spreadsheets.FILE_EMPTY),
        (b"pcc,name,phone,postcode\r\n", spreadsheets.FILE_EMPTY),
        (b"\r\n\r\n,,,\r\n", spreadsheets.FILE_EMPTY),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", spreadsheets.FILE_TYPE),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), spreadsheets.FILE_TYPE),  # an old .xls
        (b"PK\x03\x04 damaged", spreadsheets.FILE_TYPE),
        (_zip_of_nothing(), spreadsheets.FILE_TYPE),
        (b"\xff\xfe\xfa\x00bad", spreadsheets.FILE_TYPE),  # neither UTF-8 nor CP949
        (b"pcc,name,phone\r\nP26,KIM,010\r\n", spreadsheets.HEADER_MISSING),
        (b"P261234567895,KIM,01012345678,04524\r\n", spreadsheets.HEADER_MISSING),  # no header row
        (b"pcc,name,phone,postcode,Name\r\nx,y,z,w,v\r\n", spreadsheets.HEADER_DUPLICATE),
    ],
)
def test_malformed_file_is_400_with_its_message_in_both_languages(client, api_key, content, code):
    response = upload(client, api_key, content)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert set(body["message"]) == {"ko", "en"} and all(body["message"].values())
    assert not BulkVerification.objects.exists()


def test_header_missing_names_the_missing_columns(client, api_key):
    body = upload(client, api_key, b"pcc,name\r\nx,y\r\n").json()
    assert "phone, postcode" in body["message"]["en"]


@override_settings(BULK_VERIFICATION_MAX_ROWS=3)
def test_more_rows_than_the_limit_is_400(client, api_key, row):
    assert upload(client, api_key, csv_bytes([HEADER, row, row, row])).status_code == 202
    response = upload(client, api_key, csv_bytes([HEADER, row, row, row, row]))
    assert response.status_code == 400 and response.json()["code"] == spreadsheets.TOO_MANY_ROWS
    assert "3 rows" in response.json()["message"]["en"]


@override_settings(BULK_VERIFICATION_MAX_BYTES=1000)
def test_a_file_larger_than_the_limit_is_400_and_never_read_whole(client, api_key, row):
    response = upload(client, api_key, csv_bytes([HEADER] + [row] * 40))
    assert response.status_code == 400 and response.json()["code"] == spreadsheets.FILE_TOO_LARGE


def test_a_missing_file_field_is_400_naming_the_field(client, api_key):
    response = client.post(URL, {"other": "x"}, HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "PCC_VALIDATION" and "file" in body["fields"]


def test_json_instead_of_a_file_is_415(client, api_key):
    response = client.post(URL, {"file": "x"}, content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    assert response.status_code == 415


# --- Malformed rows are reported per row; the job completes ----------------------------------------


def test_malformed_rows_get_their_reasons_and_never_stop_the_job(client, api_key, row, run_jobs, issued_code):
    wrong_digit = row[0][:-1] + str((int(row[0][-1]) + 1) % 10)
    rows = checked(
        client,
        api_key,
        csv_bytes(
            [
                HEADER,
                ["", row[1], row[2], row[3]],
                [row[0], "", row[2], row[3]],
                [row[0], row[1], "", row[3]],
                ["P2612", row[1], row[2], row[3]],
                [wrong_digit, row[1], row[2], row[3]],
                [UNKNOWN_CODE, row[1], row[2], row[3]],
                [row[0], row[1], row[2], ""],
                ["", "", "", "", "a stray cell"],
                row,
            ]
        ),
        run_jobs,
    )
    assert [r[5:7] for r in rows[1:]] == [
        ["refused", matching.CODE_MISSING],
        ["refused", matching.NAME_MISSING],
        ["refused", matching.PHONE_MISSING],
        ["refused", matching.CODE_FORMAT],
        ["refused", matching.CODE_CHECK_DIGIT],
        ["refused", matching.CODE_NOT_IN_USE],
        ["refused", matching.POSTCODE_MISSING],
        ["refused", f"{matching.CODE_MISSING} {matching.NAME_MISSING} {matching.PHONE_MISSING}"],
        ["match", ""],
    ]
    assert rows[0] == [*HEADER, "", "result", "reason", "message"]  # the stray cell keeps a column
    assert rows[8][4] == "a stray cell"
    job = BulkVerification.objects.get()
    assert (job.status, job.rows_done, job.rows_matched) == (BulkStatus.DONE, 9, 1)


def test_every_row_is_logged_as_a_bulk_check_without_the_values(client, api_key, row, run_jobs, details, forwarder):
    checked(
        client, api_key, csv_bytes([HEADER, row, [row[0], "WRONG NAME", *row[2:]], ["bad", "x", "y", "z"]]), run_jobs
    )
    checks = list(CodeCheck.objects.order_by("id").values_list("client", "channel", "result"))
    assert checks == [
        (forwarder.pk, CheckChannel.BULK, "match"),
        (forwarder.pk, CheckChannel.BULK, "mismatch"),
        (forwarder.pk, CheckChannel.BULK, "refused"),
    ]
    stored = str(list(CodeCheck.objects.values()))
    for value in (details.name, "WRONG NAME", row[0]):
        assert value not in stored


def test_the_rows_results_and_result_file_are_sealed_at_rest_under_the_jobs_key(
    client, api_key, row, run_jobs, details
):
    from django.db import connection

    from personal_data.crypto import sealed_key_id

    checked(client, api_key, csv_bytes([HEADER, row]), run_jobs)
    job = BulkVerification.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT rows, results FROM clearance_bulkverificationchunk")
        stored = [bytes(cell) for record in cursor.fetchall() for cell in record]
        cursor.execute("SELECT result FROM clearance_bulkverification")
        stored.append(bytes(cursor.fetchone()[0]))
    assert {sealed_key_id(value) for value in stored} == {job.data_key_id}
    file_in_base64 = base64.b64encode(bulk.bulk_verification_result(job=job).content)
    for value in (details.name.encode(), details.mobile.encode(), row[0].encode(), file_in_base64[:40]):
        assert not any(value in cell for cell in stored)


# --- The per-code lockout within one spreadsheet ----------------------------------------------------


@override_settings(BULK_VERIFICATION_CHUNK_ROWS=3)
def test_lockout_holds_within_one_spreadsheet_whatever_the_chunks(client, api_key, row, run_jobs):
    other = code_issue(details=HolderDetailsFactory(), actor=ONLINE)
    guesses = [[row[0], f"GUESS {n}", row[2], row[3]] for n in range(11)]
    filler = [[other.number, "WHOEVER", "01000000000", "00000"]] * 5
    rows = checked(client, api_key, csv_bytes([HEADER, *guesses[:6], *filler, *guesses[6:], row]), run_jobs)
    assert BulkVerification.objects.get().chunks_total == 6  # 17 rows in chunks of 3
    code_rows = [r for r in rows[1:] if r[0] == row[0]]
    assert [r[5] for r in code_rows] == [matching.NAME_MISMATCH] * 10 + [matching.CODE_LOCKED] * 2
    assert code_rows[-1][1] == row[1]  # even the right details are not compared any more


def test_earlier_mismatches_of_the_client_count_towards_a_spreadsheets_lockout(client, api_key, row, run_jobs):
    checked(client, api_key, csv_bytes([HEADER, *[[row[0], "GUESS", *row[2:]]] * 9]), run_jobs)
    rows = checked(client, api_key, csv_bytes([HEADER, [row[0], "GUESS", *row[2:]], row]), run_jobs)
    assert [r[5] for r in rows[1:]] == [matching.NAME_MISMATCH, matching.CODE_LOCKED]


def test_rows_of_one_code_share_a_chunk_and_others_are_spread(client, api_key, row):
    with override_settings(BULK_VERIFICATION_CHUNK_ROWS=2):
        upload(client, api_key, csv_bytes([HEADER, *[row] * 5, *[["bad", "x", "y", "z"]] * 5]))
    chunks = list(BulkVerificationChunk.objects.select_related("job__data_key"))
    by_code = [sum(1 for r in spreadsheets.chunk_rows(c.rows) if r[1] == row[0]) for c in chunks]
    assert sorted(by_code)[-1] == 5
    assert len(chunks) == 5 and max(c.rows_total for c in chunks) <= 7


# --- Runs: idempotent, resumable, parallel-safe ----------------------------------------------------


@override_settings(BULK_VERIFICATION_CHUNK_ROWS=2)
def test_a_run_started_again_carries_on_and_never_checks_a_row_twice(client, api_key, row):
    body = upload(client, api_key, csv_bytes([HEADER, *[["bad", "x", "y", str(n)] for n in range(7)], row])).json()
    job = BulkVerification.objects.select_related("client", "data_key").get()
    BulkVerification.objects.filter(pk=job.pk).update(status=BulkStatus.RUNNING)
    job.status = BulkStatus.RUNNING
    assert bulk._chunk_check_next(job=job)  # a worker checked one chunk, then died
    assert BulkVerification.objects.get().status == BulkStatus.RUNNING
    done_before = BulkVerification.objects.get().rows_done
    assert 0 < done_before < 8

    assert bulk.bulk_verification_run(job_id=body["id"]) is True
    assert bulk.bulk_verification_run(job_id=body["id"]) is False  # done: nothing more to do
    job = BulkVerification.objects.get()
    assert (job.status, job.rows_done, job.rows_matched) == (BulkStatus.DONE, 8, 1)
    assert CodeCheck.objects.count() == 8


def test_an_unexpected_error_fails_the_job_without_its_text_in_the_log(client, api_key, row, monkeypatch, caplog):
    body = upload(client, api_key, csv_bytes([HEADER, row])).json()

    def broken(**_kwargs):
        raise ValueError(row[1])

    monkeypatch.setattr(bulk, "_chunk_outcomes", broken)
    assert bulk.bulk_verification_run(job_id=body["id"]) is False
    assert BulkVerification.objects.get().status == BulkStatus.FAILED
    assert "ValueError" in caplog.text and row[1] not in caplog.text
    assert not CodeCheck.objects.exists()  # the chunk's transaction was rolled back


def test_stalled_jobs_are_queued_again(client, api_key, row, monkeypatch):
    queued = []
    monkeypatch.setattr(bulk, "_queue_runs", lambda *, job_id, chunks: queued.append(job_id))
    upload(client, api_key, csv_bytes([HEADER, row]))
    job = BulkVerification.objects.get()
    assert bulk.bulk_verifications_resume() == 0  # just created
    later = timezone.now() + datetime.timedelta(minutes=6)
    assert bulk.bulk_verifications_resume(now=later) == 1 and queued == [job.pk]
    bulk.bulk_verification_run(job_id=job.pk)
    assert bulk.bulk_verifications_resume(now=later + datetime.timedelta(minutes=6)) == 0  # done: left alone


def test_the_upload_queues_its_runs_after_the_commit(
    client, api_key, row, monkeypatch, django_capture_on_commit_callbacks
):
    from clearance import tasks

    sent = []
    monkeypatch.setattr(tasks.bulk_verification_run, "delay", lambda job_id: sent.append(job_id))
    with override_settings(BULK_VERIFICATION_CHUNK_ROWS=1), django_capture_on_commit_callbacks() as callbacks:
        body = upload(client, api_key, csv_bytes([HEADER, row, ["bad", "x", "y", "z"], ["bad", "x", "y", "z"]])).json()
        assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sent == [body["id"], body["id"]]  # BULK_VERIFICATION_PARALLEL_TASKS runs share the chunks


# --- Who sees what; retention -----------------------------------------------------------------------


def test_a_job_is_visible_only_to_its_own_client(client, api_key, row, run_jobs):
    body = run_jobs(client, api_key, csv_bytes([HEADER, row])).json()
    _other, other_key = api_client_create(name="Other forwarder", scopes=["bulk"])
    for url in (body["status_url"], body["result_url"]):
        response = get(client, url, other_key)
        assert response.status_code == 404 and response.json()["code"] == "PCC_NOT_FOUND"
        assert get(client, url, api_key).status_code == 200


def test_bulk_needs_the_bulk_scope(client, row):
    _verifier, key = api_client_create(name="Verify only", scopes=["verify"])
    response = upload(client, key, csv_bytes([HEADER, row]))
    assert response.status_code == 403 and response.json()["code"] == matching.SCOPE_MISSING


def test_jobs_and_their_data_keys_are_removed_after_the_retention_period(client, api_key, row, run_jobs):
    run_jobs(client, api_key, csv_bytes([HEADER, row]))
    job = BulkVerification.objects.get()
    keys_before = DataKey.objects.count()
    assert bulk.bulk_verifications_purge(now=timezone.now() + datetime.timedelta(days=6)) == 0
    assert bulk.bulk_verifications_purge(now=timezone.now() + datetime.timedelta(days=7, minutes=1)) == 1
    assert not BulkVerification.objects.exists() and not BulkVerificationChunk.objects.exists()
    assert not DataKey.objects.filter(pk=job.data_key_id).exists()
    assert DataKey.objects.count() == keys_before - 1
    assert Holder.objects.exists()  # the holders' keys are untouched
    assert CodeCheck.objects.count() == 1  # the call log stays, as for every check


def test_schema_documents_the_upload_and_the_binary_result(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    create = schema["paths"]["/api/v1/bulk-verifications"]["post"]
    upload_schema = create["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert "202" in create["responses"]
    result = schema["paths"]["/api/v1/bulk-verifications/{job_id}/result"]["get"]["responses"]
    assert set(result["200"]["content"]) == {"text/csv", bulk._CONTENT_TYPES["xlsx"]}
    assert "409" in result and "404" in result
    component = schema["components"]["schemas"][upload_schema["$ref"].rsplit("/", 1)[-1]]
    assert component["properties"]["file"]["format"] == "binary"
