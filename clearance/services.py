"""Writes of the clearance app: API clients and their keys, code checks and their access records."""

import datetime
import math
import secrets
import time
from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AccessAction, AccessPurpose, AccessRecord
from audit.models import ActorType as AccessActorType
from audit.services import access_records_append
from clearance import matching
from clearance.models import ApiClient, ApiScope, CheckChannel, CheckResult, CodeCheck
from clearance.selectors import CodeForCheck, api_key_hash, code_for_check, delivery_postcode_matches
from issuance.codes import normalise_code, validate_code
from personal_data.blind_index import blind_index_of

KEY_PREFIX = "pcc_"
LOCKOUT_MISMATCHES = 10  # issue 7: after 10 mismatches for one code from one client within 24 hours
LOCKOUT_WINDOW = datetime.timedelta(hours=24)


def _new_key() -> tuple[str, str, str]:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key[:12], api_key_hash(key)


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    cleaned = sorted({scope.strip() for scope in scopes if scope.strip()})
    unknown = [scope for scope in cleaned if scope not in ApiScope.values]
    if unknown or not cleaned:
        raise ValidationError(_("Scopes are one or more of: verify, declare, bulk."), code="PCC_API_SCOPE_INVALID")
    return cleaned


def api_client_create(*, name: str, scopes: Iterable[str], rate_limit: str = "") -> tuple[ApiClient, str]:
    """A new client and its key. The key is returned once and only its hash is kept."""
    key, prefix, digest = _new_key()
    client = ApiClient(name=name.strip(), scopes=_clean_scopes(scopes), key_prefix=prefix, key_hash=digest)
    client.rate_limit = rate_limit.strip()
    client.full_clean()
    client.save()
    return client, key


def api_client_rotate_key(*, client: ApiClient) -> str:
    """A new key for the client; the old one stops working at once."""
    key, prefix, digest = _new_key()
    client.key_prefix, client.key_hash, client.key_rotated_at = prefix, digest, timezone.now()
    client.save(update_fields=["key_prefix", "key_hash", "key_rotated_at"])
    return key


def api_client_set_active(*, client: ApiClient, active: bool) -> ApiClient:
    client.is_active = active
    client.disabled_at = None if active else timezone.now()
    client.save(update_fields=["is_active", "disabled_at"])
    return client


def _missing_reasons(*, number: str, name: str, phone: str) -> tuple[str, ...]:
    missing = []
    if not number.strip():
        missing.append(matching.CODE_MISSING)
    if not name.strip():
        missing.append(matching.NAME_MISSING)
    if not phone.strip():
        missing.append(matching.PHONE_MISSING)
    return tuple(missing)


def code_check_refusal(*, number: str, name: str, phone: str) -> matching.CheckOutcome | None:
    """What is refused before any lookup (issue 7): a missing code, name or phone, or a code that is not
    well formed (format or check digit, issuance/codes.py). None when the check can go on."""
    missing = _missing_reasons(number=number, name=name, phone=phone)
    if missing:
        return matching.CheckOutcome(reasons=missing)
    try:
        validate_code(number)
    except ValidationError as error:
        return matching.CheckOutcome(reasons=(error.error_list[0].code,))
    return None


def code_check_compare(
    *,
    code: CodeForCheck | None,
    name: str,
    phone: str,
    postcode: str,
    now: datetime.datetime,
    pending_mismatches: Mapping[int, int] | None = None,
    delivery_postcode_matches: Callable[..., bool] = delivery_postcode_matches,
) -> matching.CheckOutcome:
    """The rules of DOMAIN.md §6 and the per-code lockout (issue 7) on a code fetched by
    `code_for_check`/`codes_for_check` (None: no such code). Reads nothing itself except through
    `delivery_postcode_matches(holder_id=, postcode_index=)`, which a spreadsheet answers from memory."""
    if code is None:
        return matching.CheckOutcome(reasons=(matching.CODE_NOT_IN_USE,))
    touched = {"code_id": code.pk, "holder_id": code.holder_id}
    mismatches = code.recent_mismatches + (pending_mismatches or {}).get(code.pk, 0)
    if mismatches >= LOCKOUT_MISMATCHES:
        return matching.CheckOutcome(reasons=(matching.CODE_LOCKED,), **touched)
    holder = code.holder
    # Not in use: without saying which status, to a client that only knows the code (issue 7).
    if not code.is_in_use or holder.erased_at is not None:
        return matching.CheckOutcome(reasons=(matching.CODE_NOT_IN_USE,), **touched)

    postcode_rule = matching.postcode_rule_applies(
        details_updated_on=holder.details_updated_on, today=timezone.localdate(now)
    )
    if postcode_rule and not postcode.strip():
        return matching.CheckOutcome(reasons=(matching.POSTCODE_MISSING,), **touched)

    reasons = []
    name_index = blind_index_of("name", name)
    if name_index not in (bytes(holder.name_index or b""), bytes(holder.english_name_index or b"")):
        reasons.append(matching.NAME_MISMATCH)
    phone_index = blind_index_of("phone", phone)
    if phone_index not in (bytes(holder.mobile_index or b""), bytes(holder.telephone_index or b"")):
        reasons.append(matching.PHONE_MISMATCH)
    fields = ["name", "english_name", "mobile", "telephone"]
    if postcode_rule:
        fields += ["postcode", "delivery_addresses"]
        postcode_index = blind_index_of("postcode", postcode)
        main = bytes(holder.postcode_index or b"")
        if postcode_index != main and not delivery_postcode_matches(holder_id=holder.pk, postcode_index=postcode_index):
            reasons.append(matching.POSTCODE_MISMATCH)
    return matching.CheckOutcome(
        reasons=tuple(reasons), compared_fields=tuple(fields), postcode_compared=postcode_rule, **touched
    )


def code_check_outcome(
    *,
    client: ApiClient,
    number: str,
    name: str,
    phone: str,
    postcode: str,
    now: datetime.datetime | None = None,
    pending_mismatches: Mapping[int, int] | None = None,
) -> matching.CheckOutcome:
    """Check a code against a consignee's name, phone and postcode (DOMAIN.md §6). Reads only; the
    caller logs it (`code_check` for one, the spreadsheet task for many). `pending_mismatches` adds
    mismatches per code id not yet written, so a spreadsheet cannot step around the lockout.
    A spreadsheet's chunk does the same in three steps (clearance/bulk.py): `code_check_refusal` per
    row, one `codes_for_check` for the chunk, `code_check_compare` per row."""
    now = now or timezone.now()
    refusal = code_check_refusal(number=number, name=name, phone=phone)
    if refusal is not None:
        return refusal
    code = code_for_check(client=client, number=normalise_code(number), since=now - LOCKOUT_WINDOW)
    return code_check_compare(
        code=code, name=name, phone=phone, postcode=postcode, now=now, pending_mismatches=pending_mismatches
    )


def code_check_result(outcome: matching.CheckOutcome) -> str:
    """Match, mismatch (a comparison failed: counts towards the lockout) or refused (nothing compared)."""
    if outcome.match:
        return CheckResult.MATCH
    if outcome.is_mismatch:
        return CheckResult.MISMATCH
    return CheckResult.REFUSED


def _check_row(
    *, client: ApiClient, channel: str, outcome: matching.CheckOutcome, ip_address: str | None, now
) -> CodeCheck:
    return CodeCheck(
        client=client,
        occurred_at=now,
        channel=channel,
        result=code_check_result(outcome),
        reasons=list(outcome.reasons),
        code_id=outcome.code_id,
        holder_id=outcome.holder_id,
        fields=list(outcome.compared_fields),
        ip_address=ip_address,
    )


def code_check(
    *,
    client: ApiClient,
    channel: str,
    number: str,
    name: str,
    phone: str,
    postcode: str = "",
    ip_address: str | None = None,
) -> matching.CheckOutcome:
    """One check, logged: the call log row now, its access record by the sealing job (ADR 0006)."""
    now = timezone.now()
    outcome = code_check_outcome(client=client, number=number, name=name, phone=phone, postcode=postcode, now=now)
    code_checks_log(client=client, channel=channel, outcomes=[outcome], ip_address=ip_address, now=now)
    return outcome


def code_checks_log(
    *,
    client: ApiClient,
    channel: str,
    outcomes: list[matching.CheckOutcome],
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """Write the call log of one or many checks and make sure a sealing run follows."""
    now = now or timezone.now()
    rows = [_check_row(client=client, channel=channel, outcome=o, ip_address=ip_address, now=now) for o in outcomes]
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        CodeCheck.objects.bulk_create(rows, batch_size=2000)
    _schedule_seal()


_seal_queued_at = -math.inf  # monotonic time this process last queued a sealing run


def _schedule_seal() -> None:
    # In the embedded run (tasks in-process) the records are sealed at once. With a worker, each web
    # process queues one sealing run per few seconds however many checks it takes. The debounce is in
    # process memory: a shared cache key cost a Redis round trip on every check (bench/api.py profile),
    # and a run more or less per process is harmless (rows are claimed SKIP LOCKED).
    global _seal_queued_at
    from clearance.tasks import code_checks_seal as seal_task

    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(code_checks_seal)
        return
    delay = settings.CODE_CHECK_SEAL_DELAY_SECONDS
    now = time.monotonic()
    if now - _seal_queued_at >= delay:
        _seal_queued_at = now
        transaction.on_commit(lambda: seal_task.apply_async(countdown=delay), robust=True)


_PURPOSES = {CheckChannel.DECLARATION: AccessPurpose.DECLARATION}


def code_checks_seal(*, batch_size: int = 5000) -> int:
    """Write the access record of every logged check that touched a holder into the chained
    access-record log, in batches under one chain lock each, and mark the checks sealed. Safe to run
    concurrently and repeatedly (rows are claimed FOR UPDATE SKIP LOCKED). Returns checks sealed."""
    total = 0
    while True:
        with transaction.atomic():
            checks = list(
                CodeCheck.objects.select_for_update(skip_locked=True)
                .filter(sealed=False)
                .select_related("client")
                .order_by("id")[:batch_size]
            )
            if not checks:
                return total
            records = [
                AccessRecord(
                    occurred_at=check.occurred_at,
                    actor_type=AccessActorType.API_CLIENT,
                    actor_username=check.client.name,
                    ip_address=check.ip_address,
                    action=AccessAction.VIEW,
                    purpose=_PURPOSES.get(check.channel, AccessPurpose.CODE_VERIFICATION),
                    reason=f"{check.channel} check {check.pk}: {check.result}",
                    record_type="code",
                    record_id=str(check.code_id),
                    holder_id=check.holder_id,
                    fields=check.fields,
                )
                for check in checks
                if check.holder_id is not None
            ]
            if records:
                access_records_append(records)
            CodeCheck.objects.filter(pk__in=[check.pk for check in checks]).update(sealed=True)
            total += len(checks)
