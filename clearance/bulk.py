"""Spreadsheets of checks (issue 7, "bulk verification"): a job per uploaded file, checked in chunks
by Celery workers, its result given back as a file of the same format.

- `bulk_verification_create` reads the file (clearance/spreadsheets.py: a bad FILE is a 400), seals its
  rows into chunks under the job's own data key and queues the work after the commit.
- Rows go to chunks by their code, so all rows of one code are checked in one chunk in file order,
  with the mismatches not yet written counted in memory (`pending_mismatches`): the per-code lockout
  (10 mismatches in 24 hours, issue 7) holds inside a spreadsheet however the chunks are shared out.
  Rows without a well-formed code are spread evenly; they are refused without a lookup.
- `bulk_verification_run` is run by BULK_VERIFICATION_PARALLEL_TASKS tasks at once; each claims the
  next unchecked chunk (SELECT … FOR UPDATE SKIP LOCKED) and, in one transaction, checks its rows
  (one query for all its codes, one for their delivery postcodes), writes their call log
  (`code_checks_log`, channel bulk), seals their results and adds to the job's progress. A chunk is
  never checked twice; a run started again after a worker died carries on with the chunks left.
  The run that finds every chunk checked makes the result file (sealed too) and marks the job done.
- Jobs and their chunks, with the data key that sealed them, are deleted after
  BULK_VERIFICATION_RETENTION_DAYS (DOMAIN.md §9: keep no longer than the purpose needs). The call log
  stays, as for every check.
"""

import base64
import datetime
import logging
import math
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from clearance import matching, spreadsheets
from clearance.models import (
    ApiClient,
    BulkFormat,
    BulkStatus,
    BulkVerification,
    BulkVerificationChunk,
    CheckChannel,
)
from clearance.selectors import codes_for_check, delivery_postcodes_of
from clearance.services import (
    LOCKOUT_WINDOW,
    code_check_compare,
    code_check_refusal,
    code_check_result,
    code_checks_log,
)
from issuance.codes import is_valid_code, normalise_code
from pcc_portal.exceptions import ApplicationError
from personal_data.models import DataKey
from personal_data.services import data_key_create

logger = logging.getLogger(__name__)

NOT_DONE = "PCC_BULK_NOT_DONE"
FAILED = "PCC_BULK_FAILED"
NOT_DONE_MESSAGE = _(
    "The spreadsheet is still being checked, so there is no result yet. Ask for the job's status and "
    "download the result once its status is done."
)
FAILED_MESSAGE = _(
    "This spreadsheet could not be checked because of a fault on our side. Send the file again; "
    "rows already checked count towards the per-code limit as usual."
)
_FILENAME_MAX = 200
_CONTENT_TYPES = {
    BulkFormat.CSV: "text/csv; charset=utf-8",
    BulkFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --- Create -----------------------------------------------------------------------------------------


def _chunk_of(*, number: str, row: int, chunks: int) -> int:
    """Rows of one code share a chunk (crc32: the same in every process, unlike hash())."""
    if is_valid_code(number):
        return zlib.crc32(normalise_code(number).encode()) % chunks
    return row % chunks


def _filename(name: str) -> str:
    # Only the last part of a path a browser may send, and no control characters (it goes in a header).
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:_FILENAME_MAX] or "upload"


def bulk_verification_create(
    *, client: ApiClient, upload, language: str = "ko", ip_address: str | None = None
) -> BulkVerification:
    """Read an uploaded spreadsheet and queue its checks (issue 7). A file that cannot be read, lacks
    the columns or has too many rows is refused whole (`ApplicationError`, 400); anything wrong with a
    row is that row's result. The rows are sealed under a new data key of the job's own."""
    sheet = spreadsheets.spreadsheet_read(
        content=upload.read(),
        max_rows=settings.BULK_VERIFICATION_MAX_ROWS,
        max_bytes=settings.BULK_VERIFICATION_MAX_BYTES,
    )
    chunks_total = max(1, math.ceil(len(sheet.rows) / settings.BULK_VERIFICATION_CHUNK_ROWS))
    pcc = sheet.positions["pcc"]
    grouped: list[list[list]] = [[] for _index in range(chunks_total)]
    for number, row in enumerate(sheet.rows):
        grouped[_chunk_of(number=row[pcc], row=number, chunks=chunks_total)].append([number, *row])

    with transaction.atomic():
        job = BulkVerification(
            client=client,
            data_key=data_key_create(),
            file_format=sheet.file_format,
            filename=_filename(getattr(upload, "name", "")),
            columns=sheet.columns,
            language=language if language in ("ko", "en") else "ko",
            ip_address=ip_address,
            rows_total=len(sheet.rows),
            chunks_total=chunks_total,
        )
        job.full_clean()
        job.save(force_insert=True)
        BulkVerificationChunk.objects.bulk_create(
            [
                BulkVerificationChunk(job=job, index=index, rows_total=len(rows), rows=spreadsheets.chunk_csv(rows))
                for index, rows in enumerate(grouped)
                if rows
            ]
        )
        transaction.on_commit(lambda: _queue_runs(job_id=job.pk, chunks=chunks_total), robust=True)
    return job


def _queue_runs(*, job_id, chunks: int) -> None:
    from clearance.tasks import bulk_verification_run as run_task

    for _task in range(min(chunks, settings.BULK_VERIFICATION_PARALLEL_TASKS)):
        run_task.delay(str(job_id))


# --- Run --------------------------------------------------------------------------------------------


def _chunk_outcomes(*, job: BulkVerification, rows: list[list[str]], now: datetime.datetime):
    """Each row's outcome, by the one set of rules (clearance/services.py), with two queries for the
    chunk instead of one or two per row."""
    positions = spreadsheets.column_positions(job.columns)
    # Cell i of the sealed row is column i - 1: the row number comes first.
    pcc, name, phone, postcode = (positions[column] + 1 for column in spreadsheets.COLUMNS)
    refusals = [code_check_refusal(number=row[pcc], name=row[name], phone=row[phone]) for row in rows]
    numbers = {normalise_code(row[pcc]) for row, refusal in zip(rows, refusals, strict=True) if refusal is None}
    codes = codes_for_check(client=job.client, numbers=numbers, since=now - LOCKOUT_WINDOW)
    delivery = delivery_postcodes_of(holder_ids={code.holder_id for code in codes.values()})

    def delivery_postcode_matches(*, holder_id, postcode_index: bytes) -> bool:
        return (holder_id, postcode_index) in delivery

    pending: Counter[int] = Counter()
    outcomes = []
    for row, refusal in zip(rows, refusals, strict=True):
        if refusal is not None:
            outcomes.append(refusal)
            continue
        outcome = code_check_compare(
            code=codes.get(normalise_code(row[pcc])),
            name=row[name],
            phone=row[phone],
            postcode=spreadsheets.postcode_of_cell(row[postcode]),
            now=now,
            pending_mismatches=pending,
            delivery_postcode_matches=delivery_postcode_matches,
        )
        if outcome.is_mismatch:
            pending[outcome.code_id] += 1
        outcomes.append(outcome)
    return outcomes


def _chunk_check_next(*, job: BulkVerification) -> bool:
    """Claim, check and save the next unchecked chunk; False when none is left to claim."""
    with transaction.atomic():
        chunk = (
            BulkVerificationChunk.objects.select_for_update(skip_locked=True)
            .filter(job=job, done_at__isnull=True)
            .order_by("index")
            .first()
        )
        if chunk is None:
            return False
        chunk.job = job  # its data key, unwrapped once for the run
        now = timezone.now()
        rows = spreadsheets.chunk_rows(chunk.rows)
        outcomes = _chunk_outcomes(job=job, rows=rows, now=now)
        code_checks_log(
            client=job.client, channel=CheckChannel.BULK, outcomes=outcomes, ip_address=job.ip_address, now=now
        )
        chunk.results = spreadsheets.chunk_csv(
            [row[0], code_check_result(outcome), " ".join(outcome.reasons), int(outcome.postcode_compared)]
            for row, outcome in zip(rows, outcomes, strict=True)
        )
        chunk.rows_matched = sum(1 for outcome in outcomes if outcome.match)
        chunk.done_at = now
        chunk.save(update_fields=["results", "rows_matched", "done_at"])
        BulkVerification.objects.filter(pk=job.pk).update(
            rows_done=F("rows_done") + len(rows), rows_matched=F("rows_matched") + chunk.rows_matched, progressed_at=now
        )
    return True


def _result_rows(job: BulkVerification) -> Iterator[list[str]]:
    """The header and every row in file order, each with its result, reasons and message."""
    rows: list[list[str] | None] = [None] * job.rows_total
    for chunk in BulkVerificationChunk.objects.filter(job=job).order_by("index"):
        chunk.job = job
        results = spreadsheets.chunk_rows(chunk.results)
        for row, (_number, result, reasons, postcode_compared) in zip(
            spreadsheets.chunk_rows(chunk.rows), results, strict=True
        ):
            rows[int(row[0])] = [*row[1:], result, reasons, postcode_compared]
    messages: dict[tuple[str, str], str] = {}
    yield [*job.columns, *spreadsheets.RESULT_COLUMNS]
    for row in rows:
        *cells, result, reasons, postcode_compared = row
        key = (reasons, postcode_compared)
        if key not in messages:
            outcome = matching.CheckOutcome(reasons=tuple(reasons.split()), postcode_compared=postcode_compared == "1")
            messages[key] = outcome.messages()[job.language]
        yield [*cells, result, reasons, messages[key]]


def _finish_if_complete(*, job_id) -> bool:
    """Once every chunk is checked, make the result file and mark the job done, in one transaction.
    Every run calls this after its last chunk; the one that commits the last chunk sees none left, and
    the job's row lock lets only one of them make the file. The file is made here, by a worker, not
    when it is downloaded: a workbook of 100,000 rows takes longer to write than a web request may."""
    if BulkVerificationChunk.objects.filter(job_id=job_id, done_at__isnull=True).exists():
        return False
    with transaction.atomic():
        job = (
            BulkVerification.objects.select_for_update(of=("self",))
            .select_related("data_key")
            .filter(pk=job_id, status=BulkStatus.RUNNING)
            .first()
        )
        if job is None:
            return False  # another run finished it
        rows = _result_rows(job)
        if job.file_format == BulkFormat.XLSX:
            content = spreadsheets.xlsx_result(rows)
        else:
            content = "".join(spreadsheets.csv_result(rows)).encode("utf-8")
        job.result = base64.b64encode(content).decode("ascii")
        job.status, job.finished_at = BulkStatus.DONE, timezone.now()
        job.save(update_fields=["result", "status", "finished_at"])
    return True


def bulk_verification_run(*, job_id) -> bool:
    """Check the job's unchecked chunks until none is left to claim, then mark it done if it is.
    Idempotent and safe to run several times at once (issue 7: chunks in parallel on several workers).
    A database that is unreachable propagates (the task retries; the sweeper queues again later); any
    other error fails the job, logged by its type only (its text could quote a cell)."""
    now = timezone.now()
    BulkVerification.objects.filter(pk=job_id, status=BulkStatus.QUEUED).update(
        status=BulkStatus.RUNNING, started_at=now, progressed_at=now
    )
    job = BulkVerification.objects.select_related("client", "data_key").filter(pk=job_id).first()
    if job is None or job.status != BulkStatus.RUNNING:
        return False
    try:
        while _chunk_check_next(job=job):
            pass
        return _finish_if_complete(job_id=job_id)
    except (OperationalError, InterfaceError):
        raise
    except Exception as error:
        logger.error("bulk verification %s failed: unexpected %s", job_id, type(error).__name__)
        bulk_verification_fail(job_id=job_id)
        return False


def bulk_verification_fail(*, job_id) -> None:
    BulkVerification.objects.filter(pk=job_id, status__in=[BulkStatus.QUEUED, BulkStatus.RUNNING]).update(
        status=BulkStatus.FAILED, finished_at=timezone.now()
    )


def bulk_verifications_resume(*, now: datetime.datetime | None = None) -> int:
    """Queue again the jobs that stopped moving: a worker died holding the only run, or the queueing
    after the upload failed (the broker was down). Returns how many jobs were queued again."""
    now = now or timezone.now()
    before = now - datetime.timedelta(seconds=settings.BULK_VERIFICATION_STALLED_SECONDS)
    stalled = list(
        BulkVerification.objects.filter(status__in=[BulkStatus.QUEUED, BulkStatus.RUNNING])
        .filter(Q(progressed_at__lt=before) | Q(progressed_at__isnull=True, created_at__lt=before))
        .values_list("pk", "chunks_total")
    )
    for job_id, chunks in stalled:
        _queue_runs(job_id=job_id, chunks=chunks)
    return len(stalled)


def bulk_verifications_purge(*, now: datetime.datetime | None = None, batch_size: int = 500) -> int:
    """Delete jobs older than BULK_VERIFICATION_RETENTION_DAYS with their chunks and data keys
    (DOMAIN.md §9: destroyed so that they cannot be restored). Returns how many jobs went."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=settings.BULK_VERIFICATION_RETENTION_DAYS)
    total = 0
    while True:
        doomed = list(
            BulkVerification.objects.filter(created_at__lt=before).values_list("pk", "data_key_id")[:batch_size]
        )
        if not doomed:
            return total
        with transaction.atomic():
            job_ids = [job_id for job_id, _key in doomed]
            BulkVerificationChunk.objects.filter(job_id__in=job_ids).delete()
            BulkVerification.objects.filter(pk__in=job_ids).delete()
            DataKey.objects.filter(pk__in=[key for _job, key in doomed]).delete()
        total += len(doomed)


# --- Read -------------------------------------------------------------------------------------------


def bulk_verification_of(*, client: ApiClient, job_id) -> BulkVerification | None:
    """The job if it is this client's: another client's job is as good as absent (a 404)."""
    return BulkVerification.objects.filter(pk=job_id, client=client).defer("result").first()


def bulk_verifications_recent(*, limit: int = 100) -> list[BulkVerification]:
    """The latest jobs of every client, for the staff page: no rows, nothing personal."""
    return list(BulkVerification.objects.select_related("client").defer("result").order_by("-created_at")[:limit])


def bulk_verification_percent(job: BulkVerification) -> int:
    return 100 if job.rows_total == 0 else (100 * job.rows_done) // job.rows_total


@dataclass(frozen=True)
class ResultFile:
    content: bytes
    content_type: str
    content_disposition: str


def bulk_verification_result(*, job: BulkVerification) -> ResultFile:
    """The uploaded file given back with a result, reason and message per row, in its own format.
    Only for a job that is done (409 otherwise, with what to do)."""
    if job.status == BulkStatus.FAILED:
        raise ApplicationError(FAILED, FAILED_MESSAGE, extra={"status": 409, "job_status": job.status})
    if job.status != BulkStatus.DONE:
        raise ApplicationError(NOT_DONE, NOT_DONE_MESSAGE, extra={"status": 409, "job_status": job.status})
    job = BulkVerification.objects.select_related("data_key").get(pk=job.pk)
    stem = job.filename.rsplit(".", 1)[0] if "." in job.filename else job.filename
    return ResultFile(
        content=base64.b64decode(job.result),
        content_type=_CONTENT_TYPES[job.file_format],
        content_disposition=content_disposition_header(True, f"{stem}-result.{job.file_format}"),
    )
