"""Every write of the code's lifecycle (DOMAIN.md §2, §3, §5). Views, APIs, admin, tasks and commands
call these; they validate, own their transaction, and record an event for every change of state.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from issuance import validity
from issuance.codes import code_generate, validate_code_format
from issuance.models import (
    MAX_DELIVERY_ADDRESSES,
    ActorType,
    Channel,
    Code,
    CodeEvent,
    CodeStatus,
    Consent,
    ConsentKind,
    CustomsOffice,
    Declaration,
    DeclarationItem,
    DeclarationKind,
    DeliveryAddress,
    EventKind,
    Holder,
    IdentityDocument,
    MobileOwnership,
    SuspensionReason,
    TerminationReason,
    VerificationMethod,
)
from issuance.selectors import REISSUES_PER_YEAR, reissues_this_year
from pcc_portal.exceptions import ApplicationError
from personal_data.blind_index import blind_index_of
from personal_data.fields import BlindIndexField
from personal_data.identity import normalise_passport_number, parse_resident_number
from personal_data.services import data_key_create, data_key_destroy

logger = logging.getLogger(__name__)

CONSENT_TEXT_VERSION = "2025-11-21"  # the online form's version (DOMAIN.md §5)
_CODE_NUMBER_ATTEMPTS = 10


class ReissueReason:
    LOST = "lost"
    STOLEN = "stolen"
    OTHER = "other"
    ALL = (LOST, STOLEN, OTHER)


@dataclass(frozen=True)
class DeliveryAddressInput:
    address: str
    postcode: str


@dataclass(frozen=True)
class HolderDetails:
    """What an application carries (DOMAIN.md §5; the counter form of §7). Values as typed; the
    services normalise and validate them."""

    name: str
    english_name: str
    nationality: str
    address: str
    postcode: str
    email: str
    mobile_ownership: str
    birth_date: datetime.date | None = None  # required for passports; taken from the RRN/ARN otherwise
    resident_number: str | None = None
    passport_number: str | None = None
    telephone: str | None = None
    mobile: str | None = None
    language: str = "ko"
    delivery_addresses: tuple[DeliveryAddressInput, ...] = field(default_factory=tuple)
    sms_consent: bool = False
    document_viewing_consent: bool = True


@dataclass(frozen=True)
class Actor:
    """Who acted, through which channel and office, after which identity verification."""

    channel: str
    actor_type: str
    method: str = VerificationMethod.NONE
    user: AbstractBaseUser | None = None
    office: CustomsOffice | None = None


SYSTEM = Actor(channel=Channel.SYSTEM, actor_type=ActorType.SYSTEM)


def _error(code: str, message, **extra) -> ApplicationError:
    return ApplicationError(code, message, extra=extra)


def _today() -> datetime.date:
    return timezone.localdate()


def _event_record(*, code: Code, kind: str, actor: Actor, reason: str = "", detail: dict | None = None) -> CodeEvent:
    """Record the event and, in the same transaction, the notices it causes (notifications outbox)."""
    from notifications.services import notices_for_event

    event = CodeEvent.objects.create(
        code=code,
        holder_id=code.holder_id,
        kind=kind,
        occurred_at=timezone.now(),
        actor_type=actor.actor_type,
        actor_user=actor.user,
        channel=actor.channel,
        office=actor.office,
        method=actor.method,
        reason=reason,
        detail=detail or {},
    )
    notices_for_event(event)
    return event


def _validity_change(previous_expiry: datetime.date, code: Code) -> dict:
    return {"previous_expires_on": previous_expiry.isoformat(), "expires_on": code.expires_on.isoformat()}


def _set_status(code: Code, status: str, *, suspension_reason: str = "", termination_reason: str = "") -> None:
    code.status = status
    code.suspension_reason = suspension_reason
    code.termination_reason = termination_reason
    code.status_changed_at = timezone.now()


def _apply_details(holder: Holder, details: HolderDetails, *, today: datetime.date) -> None:
    nationality = details.nationality.strip().upper()
    if details.resident_number:
        rrn = parse_resident_number(details.resident_number)
        # Digit 7 says Korean or foreigner (DOMAIN.md §4); the nationality must agree with it.
        if rrn.is_foreigner == (nationality == "KR"):
            raise _error(
                "PCC_NATIONALITY_MISMATCH",
                _(
                    "The nationality does not match the registration number: resident registration numbers "
                    "belong to Korean nationals, alien registration numbers to foreign nationals."
                ),
            )
        holder.identity_document = IdentityDocument.RESIDENT_NUMBER
        holder.resident_number = rrn.digits
        holder.birth_date = rrn.birth_date
        holder.passport_number = None
    else:
        if not details.passport_number:
            raise _error(
                "PCC_IDENTITY_DOCUMENT_REQUIRED",
                _("A resident or alien registration number, or a passport number, is required."),
            )
        if details.birth_date is None:
            raise _error("PCC_BIRTH_DATE_REQUIRED", _("The date of birth is required with a passport."))
        holder.identity_document = IdentityDocument.PASSPORT
        holder.passport_number = normalise_passport_number(details.passport_number)
        holder.birth_date = details.birth_date
        holder.resident_number = None
    holder.nationality = nationality
    _apply_contact_details(holder, details)
    holder.details_updated_on = today


def _apply_contact_details(holder: Holder, details: HolderDetails) -> None:
    from personal_data.contact import normalise_email, normalise_phone, normalise_postcode
    from personal_data.identity import clean_display_name

    holder.name = clean_display_name(details.name)
    holder.english_name = clean_display_name(details.english_name)
    holder.address = " ".join(details.address.split())
    holder.postcode = normalise_postcode(details.postcode)
    holder.email = normalise_email(details.email)
    holder.telephone = normalise_phone(details.telephone) if details.telephone else None
    holder.mobile_ownership = details.mobile_ownership
    if details.mobile_ownership == MobileOwnership.OWN_NAME:
        if not details.mobile:
            raise _error(
                "PCC_MOBILE_REQUIRED",
                _("Enter your mobile number, or choose that you have none in your name."),
            )
        holder.mobile = normalise_phone(details.mobile)
    else:
        holder.mobile = None
    holder.language = details.language


def _replace_delivery_addresses(holder: Holder, addresses) -> None:
    from personal_data.contact import normalise_postcode

    if len(addresses) > MAX_DELIVERY_ADDRESSES:
        raise _error(
            "PCC_TOO_MANY_DELIVERY_ADDRESSES",
            _("You can register at most 20 delivery addresses."),
            limit=MAX_DELIVERY_ADDRESSES,
        )
    holder.delivery_addresses.all().delete()
    for position, item in enumerate(addresses, start=1):
        delivery = DeliveryAddress(
            holder=holder,
            position=position,
            address=" ".join(item.address.split()),
            postcode=normalise_postcode(item.postcode),
        )
        delivery.full_clean(exclude=["holder"])
        delivery.save(force_insert=True)


def _consent_set(holder: Holder, *, kind: str, given: bool, now: datetime.datetime) -> bool:
    """Give or withdraw one consent; returns whether anything changed."""
    open_consent = holder.consents.filter(kind=kind, withdrawn_at__isnull=True).first()
    if given and open_consent is None:
        Consent.objects.create(holder=holder, kind=kind, text_version=CONSENT_TEXT_VERSION, given_at=now)
        return True
    if not given and open_consent is not None:
        open_consent.withdrawn_at = now
        open_consent.save(update_fields=["withdrawn_at"])
        return True
    return False


def _holder_locked_for(details: HolderDetails) -> Holder | None:
    if details.resident_number:
        index = blind_index_of("resident_number", parse_resident_number(details.resident_number).digits)
        lookup = {"resident_number_index": index}
    else:
        index = blind_index_of("passport_number", details.passport_number or "")
        lookup = {"passport_number_index": index, "nationality": details.nationality.strip().upper()}
    return Holder.objects.select_for_update().select_related("data_key").filter(**lookup).first()


def _code_in_use(holder: Holder) -> Code | None:
    return holder.codes.exclude(status=CodeStatus.TERMINATED).first()


def _new_code(*, holder: Holder, actor: Actor, today: datetime.date, now: datetime.datetime) -> Code:
    """Insert a fresh random number; a collision with an existing number (never reused) draws again."""
    for _attempt in range(_CODE_NUMBER_ATTEMPTS):
        code = Code(
            number=code_generate(year=today.year),
            holder=holder,
            status=CodeStatus.ACTIVE,
            issued_at=now,
            expires_on=validity.one_year_from(today),
            channel=actor.channel,
            office=actor.office,
            status_changed_at=now,
        )
        if not Code.objects.filter(number=code.number).exists():
            try:
                with transaction.atomic():
                    code.save(force_insert=True)
            except IntegrityError:
                if _code_in_use(holder) is not None:
                    raise _already_holds_code() from None
                continue  # a concurrent insert took the same number
            return code
    raise RuntimeError("Could not draw an unused code number")  # ~1e-8 chance per attempt at 10M codes


def _already_holds_code() -> ApplicationError:
    return _error(
        "PCC_ALREADY_HOLDS_CODE",
        _("You already have a Personal Customs Code. Look it up instead of applying again."),
    )


def code_issue(*, details: HolderDetails, actor: Actor, event_detail: dict | None = None) -> Code:
    """Issue a code to a person who has none in use (DOMAIN.md §2, §3, §5). Creates the holder (with a
    fresh data key) or reuses the record of a former holder. Valid one year from today. `event_detail`
    adds non-personal facts to the issue event (the counter: the signed paper form was received)."""
    if not details.document_viewing_consent:
        raise _error(
            "PCC_CONSENT_REQUIRED",
            _("The consent to let customs view your resident registration abstract is required to apply."),
        )
    now = timezone.now()
    today = timezone.localdate(now)
    try:
        with transaction.atomic():
            holder = _holder_locked_for(details)
            if holder is not None and _code_in_use(holder) is not None:
                raise _already_holds_code()
            if holder is None:
                holder = Holder(data_key=data_key_create())
            if holder.is_erased:
                holder = Holder(data_key=data_key_create())
            _apply_details(holder, details, today=today)
            holder.full_clean(exclude=["data_key"])
            holder.save()
            _replace_delivery_addresses(holder, details.delivery_addresses)
            _consent_set(holder, kind=ConsentKind.DOCUMENT_VIEWING, given=True, now=now)
            _consent_set(holder, kind=ConsentKind.SMS_NOTICES, given=details.sms_consent, now=now)
            code = _new_code(holder=holder, actor=actor, today=today, now=now)
            _event_record(code=code, kind=EventKind.ISSUED, actor=actor, detail=event_detail)
    except IntegrityError:
        # A concurrent application for the same person may have won the race (unique blind index or
        # the one-code-in-use constraint): then theirs stands. Anything else is a bug and re-raised.
        with transaction.atomic():
            winner = _holder_locked_for(details)
            if winner is not None and _code_in_use(winner) is not None:
                raise _already_holds_code() from None
        raise
    logger.info("code issued", extra={"code_id": code.pk, "channel": actor.channel})
    return code


def code_import_legacy(*, number: str, details: HolderDetails, issued_on: datetime.date) -> Code:
    """Import a code issued before 2026 by UNI-PASS. Its first expiry is the holder's 2027 birthday
    (DOMAIN.md §3); the number keeps its old form (no Verhoeff digit before 2026)."""
    validate_code_format(number)
    if issued_on.year >= validity.RULE_START_YEAR:
        raise _error("PCC_LEGACY_DATE", _("Only codes issued before 2026 can be imported as legacy records."))
    now = timezone.now()
    with transaction.atomic():
        holder = _holder_locked_for(details)
        if holder is not None and _code_in_use(holder) is not None:
            raise _already_holds_code()
        holder = holder or Holder(data_key=data_key_create())
        _apply_details(holder, details, today=issued_on)
        holder.full_clean(exclude=["data_key"])
        holder.save()
        _replace_delivery_addresses(holder, details.delivery_addresses)
        _consent_set(holder, kind=ConsentKind.DOCUMENT_VIEWING, given=True, now=now)
        _consent_set(holder, kind=ConsentKind.SMS_NOTICES, given=details.sms_consent, now=now)
        issued_at = timezone.make_aware(datetime.datetime.combine(issued_on, datetime.time(9)))
        code = Code.objects.create(
            number=number,
            holder=holder,
            status=CodeStatus.ACTIVE,
            issued_at=issued_at,
            expires_on=validity.legacy_first_expiry(holder.birth_date),
            channel=Channel.SYSTEM,
            is_legacy=True,
            status_changed_at=now,
        )
        _event_record(
            code=code,
            kind=EventKind.ISSUED,
            actor=Actor(channel=Channel.SYSTEM, actor_type=ActorType.SYSTEM, method=VerificationMethod.LEGACY_IMPORT),
            detail={"legacy_issued_on": issued_on.isoformat()},
        )
    return code


def _locked(code: Code) -> Code:
    return Code.objects.select_for_update().select_related("holder__data_key").get(pk=code.pk)


def code_look_up(*, code: Code, actor: Actor) -> Code:
    """Record that the holder (or staff) looked the code up. Codes issued from a passport cannot be
    looked up online: customs could not check the real name (DOMAIN.md §7)."""
    if actor.channel == Channel.ONLINE and code.holder.identity_document == IdentityDocument.PASSPORT:
        raise _error(
            "PCC_LOOKUP_NOT_ONLINE",
            _(
                "This code was issued at a customs office with a passport, so it cannot be looked up online. "
                "Please visit a customs office with your passport."
            ),
        )
    _event_record(code=code, kind=EventKind.LOOKED_UP, actor=actor)
    return code


def holder_change_details(*, code: Code, details: HolderDetails, actor: Actor) -> Code:
    """Change contact details and delivery addresses. Within validity this renews the code for a
    year from today (DOMAIN.md §3). The identity document and number cannot change here."""
    today = _today()
    with transaction.atomic():
        code = _locked(code)
        if code.status not in (CodeStatus.ACTIVE, CodeStatus.SUSPENDED):
            raise _error(
                "PCC_CODE_NOT_CHANGEABLE",
                _("Details can be changed only while the code is in use or suspended. Renew or reissue it first."),
            )
        holder = code.holder
        _apply_contact_details(holder, details)
        holder.details_updated_on = today
        holder.full_clean(exclude=["data_key"])
        holder.save()
        _replace_delivery_addresses(holder, details.delivery_addresses)
        previous_expiry = code.expires_on
        if code.status == CodeStatus.ACTIVE:
            code.expires_on = validity.one_year_from(today)
            code.save(update_fields=["expires_on"])
        _event_record(
            code=code,
            kind=EventKind.CHANGED,
            actor=actor,
            detail=_validity_change(previous_expiry, code),
        )
    return code


def holder_set_sms_consent(*, code: Code, given: bool, actor: Actor) -> bool:
    """Give or withdraw the optional SMS consent (DOMAIN.md §5); returns whether it changed."""
    with transaction.atomic():
        code = _locked(code)
        changed = _consent_set(code.holder, kind=ConsentKind.SMS_NOTICES, given=given, now=timezone.now())
        if changed and not given:
            from notifications.services import notices_cancel_sms_for

            notices_cancel_sms_for(code.holder)  # issue 6: withdrawing stops notices not yet sent
        if changed:
            _event_record(
                code=code,
                kind=EventKind.CONSENT_CHANGED,
                actor=actor,
                detail={"consent": ConsentKind.SMS_NOTICES, "given": given},
            )
    return changed


def code_renew(*, code: Code, actor: Actor) -> Code:
    """Renew from 30 days before to 30 days after expiry: valid one year from today (DOMAIN.md §3)."""
    today = _today()
    with transaction.atomic():
        code = _locked(code)
        if code.status not in (CodeStatus.ACTIVE, CodeStatus.EXPIRED):
            raise _error("PCC_CODE_NOT_RENEWABLE", _("Only a code in use or recently expired can be renewed."))
        state = validity.renewal_state(code.expires_on, today)
        if state == "not_open":
            raise _error(
                "PCC_RENEWAL_NOT_OPEN",
                _("Renewal opens 30 days before your code expires."),
                opens_on=validity.renewal_window(code.expires_on)[0].isoformat(),
            )
        if state == "closed":
            raise _error("PCC_RENEWAL_CLOSED", _("The 30 days for renewal after expiry have passed."))
        previous_expiry = code.expires_on
        code.expires_on = validity.one_year_from(today)
        _set_status(code, CodeStatus.ACTIVE)
        code.save()
        _event_record(
            code=code,
            kind=EventKind.RENEWED,
            actor=actor,
            detail=_validity_change(previous_expiry, code),
        )
    return code


def code_reissue(*, code: Code, reason: str, actor: Actor) -> Code:
    """Issue a new code and terminate the old one as replaced; at most 5 a calendar year per person
    (DOMAIN.md §3). Allowed from in use, suspended (after a theft report) or expired."""
    if reason not in ReissueReason.ALL:
        raise _error("PCC_REISSUE_REASON", _("Choose why you need a new code: lost, stolen or leaked, or other."))
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        holder = Holder.objects.select_for_update().get(pk=code.holder_id)  # serialises reissues per person
        old = _locked(code)
        if old.status == CodeStatus.TERMINATED:
            raise _error(
                "PCC_CODE_TERMINATED",
                _("This code has been terminated and cannot be reissued. Apply for a new code instead."),
            )
        used = reissues_this_year(holder=holder, today=today)
        if used >= REISSUES_PER_YEAR:
            raise _error(
                "PCC_REISSUE_LIMIT_REACHED",
                _("A code can be reissued at most 5 times a year. Please contact a customs office."),
                limit=REISSUES_PER_YEAR,
            )
        _set_status(old, CodeStatus.TERMINATED, termination_reason=TerminationReason.REPLACED)
        old.save()
        new = _new_code(holder=holder, actor=actor, today=today, now=now)
        old.replaced_by = new
        old.save(update_fields=["replaced_by"])
        _event_record(
            code=old,
            kind=EventKind.TERMINATED,
            actor=actor,
            reason=TerminationReason.REPLACED,
            detail={"replaced_by": new.number},
        )
        _event_record(
            code=new,
            kind=EventKind.REISSUED,
            actor=actor,
            reason=reason,
            detail={"replaces": old.number, "reissues_remaining": REISSUES_PER_YEAR - used - 1},
        )
    return new


def code_suspend(*, code: Code, reason: str, actor: Actor, detail: dict | None = None) -> Code:
    """Suspend at once after the holder's theft report, or ex officio by customs (DOMAIN.md §3).
    `detail`: non-personal facts for the event, e.g. the grounds of an ex officio suspension."""
    if reason not in SuspensionReason.values:
        raise _error("PCC_SUSPENSION_REASON", _("A suspension needs a reason: a theft report or a customs decision."))
    with transaction.atomic():
        code = _locked(code)
        if code.status == CodeStatus.SUSPENDED:
            raise _error("PCC_ALREADY_SUSPENDED", _("This code is already suspended."))
        if code.status == CodeStatus.TERMINATED:
            raise _error("PCC_CODE_TERMINATED", _("This code has been terminated and can no longer be used."))
        _set_status(code, CodeStatus.SUSPENDED, suspension_reason=reason)
        code.save()
        _event_record(code=code, kind=EventKind.SUSPENDED, actor=actor, reason=reason, detail=detail)
    return code


def code_reinstate(*, code: Code, actor: Actor) -> Code:
    """Customs lifts a suspension; the code is in use again, or expired if its date has passed."""
    if actor.actor_type != ActorType.STAFF:
        raise _error("PCC_REINSTATE_STAFF_ONLY", _("Only customs can reinstate a suspended code."))
    with transaction.atomic():
        code = _locked(code)
        if code.status != CodeStatus.SUSPENDED:
            raise _error("PCC_NOT_SUSPENDED", _("Only a suspended code can be reinstated."))
        past = validity.is_past_expiry(code.expires_on, _today())
        _set_status(code, CodeStatus.EXPIRED if past else CodeStatus.ACTIVE)
        code.save()
        _event_record(code=code, kind=EventKind.REINSTATED, actor=actor, detail={"status": code.status})
    return code


def code_terminate(*, code: Code, reason: str, actor: Actor, detail: dict | None = None) -> Code:
    """Terminate for good: at the holder's request, or by customs. A terminated code never verifies
    again and its number is never reused (DOMAIN.md §2, §3). `detail`: non-personal facts for the
    event, e.g. the grounds of an ex officio termination."""
    if reason not in (TerminationReason.VOLUNTARY, TerminationReason.EX_OFFICIO):
        raise _error("PCC_TERMINATION_REASON", _("A termination needs a reason."))
    with transaction.atomic():
        code = _locked(code)
        if code.status == CodeStatus.TERMINATED:
            raise _error("PCC_CODE_TERMINATED", _("This code has been terminated and can no longer be used."))
        _set_status(code, CodeStatus.TERMINATED, termination_reason=reason)
        code.save()
        _event_record(code=code, kind=EventKind.TERMINATED, actor=actor, reason=reason, detail=detail)
    return code


def codes_process_expiry(*, today: datetime.date | None = None, batch_size: int = 500) -> dict[str, int]:
    """The periodic job (DOMAIN.md §3): codes past their expiry date become expired; codes 30 days past
    it are terminated as not renewed. Idempotent; safe to run concurrently (SKIP LOCKED)."""
    today = today or _today()
    grace_cutoff = today - datetime.timedelta(days=validity.GRACE_DAYS_AFTER_EXPIRY)
    counts = {"expired": 0, "terminated": 0}
    while True:
        with transaction.atomic():
            batch = list(
                Code.objects.select_for_update(skip_locked=True)
                .filter(status=CodeStatus.ACTIVE, expires_on__lt=today)
                .order_by("pk")[:batch_size]
            )
            for code in batch:
                _set_status(code, CodeStatus.EXPIRED)
                code.save()
                _event_record(code=code, kind=EventKind.EXPIRED, actor=SYSTEM)
        counts["expired"] += len(batch)
        if len(batch) < batch_size:
            break
    while True:
        with transaction.atomic():
            batch = list(
                Code.objects.select_for_update(skip_locked=True)
                .filter(status__in=[CodeStatus.EXPIRED, CodeStatus.SUSPENDED], expires_on__lt=grace_cutoff)
                .order_by("pk")[:batch_size]
            )
            for code in batch:
                _set_status(code, CodeStatus.TERMINATED, termination_reason=TerminationReason.NOT_RENEWED)
                code.save()
                _event_record(code=code, kind=EventKind.TERMINATED, actor=SYSTEM, reason=TerminationReason.NOT_RENEWED)
        counts["terminated"] += len(batch)
        if len(batch) < batch_size:
            break
    return counts


def holder_erase(*, holder: Holder, actor: Actor) -> None:
    """Erase a person (data-subject request, DOMAIN.md §9): terminate any code in use, clear the blind
    indexes, and destroy the data key, so every sealed value, in the database and in backups, is
    unreadable (crypto-shredding). Code numbers and the event log stay, without personal data."""
    with transaction.atomic():
        holder = Holder.objects.select_for_update().select_related("data_key").get(pk=holder.pk)
        if holder.is_erased:
            return
        code = _code_in_use(holder)
        if code is not None:
            _set_status(code, CodeStatus.TERMINATED, termination_reason=TerminationReason.ERASED)
            code.save()
            _event_record(code=code, kind=EventKind.TERMINATED, actor=actor, reason=TerminationReason.ERASED)
        latest = code or holder.codes.order_by("-issued_at").first()
        _event_record(code=latest, kind=EventKind.ERASED, actor=actor)
        index_fields = {f.attname: None for f in Holder._meta.concrete_fields if isinstance(f, BlindIndexField)}
        Holder.objects.filter(pk=holder.pk).update(erased_at=timezone.now(), **index_fields)
        DeliveryAddress.objects.filter(holder=holder).update(postcode_index=None)
        data_key_destroy(data_key=holder.data_key)


def declaration_report_not_mine(*, declaration: Declaration, actor: Actor) -> Code:
    """ "This was not me" on a declaration in the usage history is a theft report (DOMAIN.md §8): the
    declaration is flagged and the code suspended at once (if it is not already)."""
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if declaration.reported_not_mine_at is None:
            declaration.reported_not_mine_at = timezone.now()
            declaration.save(update_fields=["reported_not_mine_at"])
        code = _locked(declaration.code)
        if code.status in (CodeStatus.ACTIVE, CodeStatus.EXPIRED):
            _set_status(code, CodeStatus.SUSPENDED, suspension_reason=SuspensionReason.THEFT_REPORT)
            code.save()
            _event_record(
                code=code,
                kind=EventKind.SUSPENDED,
                actor=actor,
                reason=SuspensionReason.THEFT_REPORT,
                detail={"declaration": declaration.number},
            )
    return code


def declaration_record(
    *,
    code: Code,
    number: str,
    kind: str,
    filed_at: datetime.datetime | None = None,
    goods_summary: str = "",
    details: dict | None = None,
    items: list[dict] | tuple = (),
) -> Declaration:
    """Record a declaration filed with a code (usage history, DOMAIN.md §8) and, in the same transaction,
    the SMS notice to a holder who opted in. The number is unique: filing it again returns the first,
    unchanged. `details` are further Declaration fields (clearance, supplier, arrival date…) and `items`
    the DeclarationItem fields of each item, from the declarations API. The returned declaration's
    `is_new` says whether this call recorded it."""
    if kind not in DeclarationKind.values:
        raise _error("PCC_DECLARATION_KIND", _("A declaration is an import or an export declaration."))
    from notifications.services import notices_for_declaration

    with transaction.atomic():
        declaration, created = Declaration.objects.get_or_create(
            number=number.strip(),
            defaults={
                "code": code,
                "kind": kind,
                "filed_at": filed_at or timezone.now(),
                "goods_summary": goods_summary[:200],
                **(details or {}),
            },
        )
        if created:
            DeclarationItem.objects.bulk_create(
                [DeclarationItem(declaration=declaration, position=n, **item) for n, item in enumerate(items, 1)]
            )
            notices_for_declaration(declaration)
    declaration.is_new = created
    return declaration
