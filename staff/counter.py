"""The customs counter: issuing a code from the paper application (DOMAIN.md §7, seed 000), and staff
looking a person up and acting on their code (issue 5). Every service checks the staff member's
permission (staff_require) and acts through issuance.services as the staff member's own office; every
change leaves an access record in the same transaction, so a change is never without its record
(DOMAIN.md §9, Korean personal-information safety standard Art. 8)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from audit.models import AccessAction, AccessPurpose
from audit.services import access_record_write
from issuance.models import (
    Code,
    CodeEvent,
    CodeStatus,
    Holder,
    IdentityDocument,
    SuspensionReason,
    TerminationReason,
    VerificationMethod,
)
from issuance.selectors import (
    code_current_for_holder,
    code_get_by_number,
    holder_find_by_passport,
    holder_find_by_resident_number,
)
from issuance.services import (
    HolderDetails,
    code_issue,
    code_reinstate,
    code_reissue,
    code_suspend,
    code_terminate,
    holder_change_details,
)
from pcc_portal.exceptions import ApplicationError
from personal_data.identity import parse_resident_number
from staff.roles import Permission
from staff.services import staff_actor, staff_require
from verification.providers import real_name_registry

HOLDER_RECORD = "holder"

# The purposes a staff member may give for opening a person's record (issue 5); the others
# (log review, audit, retention) belong to other pages.
PERSON_PURPOSES = (
    AccessPurpose.COUNTER_REQUEST,
    AccessPurpose.MISUSE_INVESTIGATION,
    AccessPurpose.CORRECTION,
    AccessPurpose.DATA_SUBJECT_REQUEST,
)


class ExOfficioGrounds:
    """Why customs suspends or terminates a code on its own decision, kept in the event's detail
    (the event's reason stays `ex_officio`). A short fixed list: free text could carry personal data."""

    MISUSE_SUSPECTED = "misuse_suspected"
    HOLDER_REQUEST = "holder_request"
    INVESTIGATION_REQUEST = "investigation_request"
    OTHER = "other"
    CHOICES = (
        (MISUSE_SUSPECTED, _("Misuse suspected")),
        (HOLDER_REQUEST, _("The holder's request at the counter")),
        (INVESTIGATION_REQUEST, _("Request of an investigating authority")),
        (OTHER, _("Other grounds")),
    )
    VALUES = frozenset(value for value, _label in CHOICES)


@dataclass(frozen=True)
class PersonSearch:
    """One identifier to find a person by: a code, an RRN/ARN, or a passport number with its nationality."""

    code: str = ""
    resident_number: str = ""
    passport_number: str = ""
    nationality: str = ""


def _error(code: str, message) -> ApplicationError:
    return ApplicationError(code, message)


def _check_purpose(purpose: str) -> None:
    if purpose not in PERSON_PURPOSES:
        raise _error("PCC_STAFF_PURPOSE_REQUIRED", _("Choose why you are opening this person's record."))


def _record_change(*, user, ip_address: str | None, purpose: str, holder: Holder, fields) -> None:
    access_record_write(
        user=user,
        ip_address=ip_address,
        action=AccessAction.CHANGE,
        purpose=purpose,
        record_type=HOLDER_RECORD,
        record_id=str(holder.pk),
        holder=holder,
        fields=fields,
    )


_APPLICATION_FIELDS = (
    "name",
    "english_name",
    "nationality",
    "resident_number",
    "passport_number",
    "birth_date",
    "address",
    "postcode",
    "telephone",
    "mobile_ownership",
    "mobile",
    "email",
    "language",
    "delivery_addresses",
)
# What "change details" can change (issuance.services.holder_change_details): not the identity.
_CHANGEABLE_FIELDS = frozenset(_APPLICATION_FIELDS) - {
    "name",
    "nationality",
    "resident_number",
    "passport_number",
    "birth_date",
}


def holder_details_fields(details: HolderDetails) -> list[str]:
    """The names of the fields an application carried: an access record lists them, never their values."""
    return [name for name in _APPLICATION_FIELDS if getattr(details, name)]


# --- Counter issuance (DOMAIN.md §7) --------------------------------------------------------------------


def code_issue_at_counter(
    *, officer_user, details: HolderDetails, document: str, paper_form_received: bool, ip_address: str | None
) -> Code:
    """Issue a code at the officer's office from the paper application (seed 000, DOMAIN.md §7).

    With a resident or alien registration card, the name and number pass the same real-name check as
    online (the configured registry, DOMAIN.md §4). With a passport there is no such check: the record
    is marked as passport-based, and the code cannot be looked up online afterwards (code_look_up).
    The issue event records the counter, the office, the officer and that the signed paper form was
    received; an access record lists the fields entered."""
    profile = staff_require(user=officer_user, permission=Permission.COUNTER_ISSUE)
    if not paper_form_received:
        raise _error(
            "PCC_PAPER_FORM_REQUIRED",
            _("Receive the signed paper application before issuing a code at the counter."),
        )
    if document == IdentityDocument.RESIDENT_NUMBER:
        if not details.resident_number or details.passport_number:
            raise _error("PCC_IDENTITY_DOCUMENT_MISMATCH", _("Enter the registration number from the card."))
        try:
            digits = parse_resident_number(details.resident_number).digits
        except ValidationError as error:
            raise _error(error.code or "PCC_RRN_FORMAT", error.messages[0]) from None
        answer = real_name_registry().check(name=details.name, resident_number=digits, in_person=True)
        if answer.nationality and answer.nationality != details.nationality.strip().upper():
            raise _error(
                "PCC_REALNAME_NATIONALITY_MISMATCH",
                _("The nationality does not match the registry's record for this registration number."),
            )
        method = VerificationMethod.ALIEN_REGISTRATION_CARD
    elif document == IdentityDocument.PASSPORT:
        if not details.passport_number or details.resident_number:
            raise _error("PCC_IDENTITY_DOCUMENT_MISMATCH", _("Enter the passport number."))
        method = VerificationMethod.PASSPORT
    else:
        raise _error("PCC_COUNTER_DOCUMENT_REQUIRED", _("Choose the identity document the applicant showed."))
    with transaction.atomic():
        code = code_issue(
            details=details,
            actor=staff_actor(profile, method=method),
            event_detail={"paper_form_received": True},
        )
        _record_change(
            user=officer_user,
            ip_address=ip_address,
            purpose=AccessPurpose.COUNTER_REQUEST,
            holder=code.holder,
            fields=[*holder_details_fields(details), "sms_consent", "document_viewing_consent"],
        )
    return code


def counter_code_for_confirmation(*, user, code_id: int) -> Code | None:
    """The code whose issuance confirmation a staff member may print: issued at a counter, and only
    by staff of that office who issue codes (StaffForbidden otherwise). None if there is no such code,
    or it no longer works (a confirmation of a terminated code would mislead its holder)."""
    code = Code.objects.select_related("holder__data_key", "office").filter(pk=code_id).first()
    if code is None or code.office is None or code.holder.is_erased or code.status == CodeStatus.TERMINATED:
        return None
    staff_require(user=user, permission=Permission.COUNTER_ISSUE, office=code.office)
    return code


# --- Finding a person -------------------------------------------------------------------------------


def person_find(*, user, search: PersonSearch) -> Holder | None:
    """The person with this code, RRN/ARN, or passport number and nationality (blind indexes), or None.
    Erased people are not found: nothing about them can be shown any more (DOMAIN.md §9)."""
    staff_require(user=user, permission=Permission.PERSON_LOOK_UP)
    if search.code:
        code = code_get_by_number(search.code)
        holder = code.holder if code is not None else None
    elif search.resident_number:
        holder = holder_find_by_resident_number(search.resident_number)
    elif search.passport_number and search.nationality:
        holder = holder_find_by_passport(passport_number=search.passport_number, nationality=search.nationality)
    else:
        raise _error("PCC_STAFF_SEARCH_REQUIRED", _("Enter a code, a registration number, or a passport number."))
    if holder is None or holder.is_erased:
        return None
    return holder


def person_get(*, user, holder_id) -> Holder | None:
    staff_require(user=user, permission=Permission.PERSON_LOOK_UP)
    return Holder.objects.select_related("data_key").filter(pk=holder_id, erased_at__isnull=True).first()


def holder_events(holder: Holder) -> QuerySet[CodeEvent]:
    """Every event of every code the person held, oldest first."""
    return CodeEvent.objects.filter(holder=holder).select_related("code", "office", "actor_user")


def _current_code_or_error(holder: Holder) -> Code:
    code = code_current_for_holder(holder)
    if code is None:
        raise _error("PCC_STAFF_NO_CODE", _("This person has no code."))
    return code


# --- Staff actions on a person's code ---------------------------------------------------------------


def holder_change_details_at_counter(
    *, user, holder: Holder, details: HolderDetails, purpose: str, ip_address: str | None
) -> Code:
    """Change the contact details and delivery addresses at the counter (DOMAIN.md §3: within validity
    the code is valid a year from today)."""
    profile = staff_require(user=user, permission=Permission.PERSON_CHANGE)
    _check_purpose(purpose)
    with transaction.atomic():
        code = holder_change_details(code=_current_code_or_error(holder), details=details, actor=staff_actor(profile))
        fields = [name for name in holder_details_fields(details) if name in _CHANGEABLE_FIELDS]
        _record_change(user=user, ip_address=ip_address, purpose=purpose, holder=holder, fields=fields)
    return code


def code_reissue_at_counter(*, user, holder: Holder, reason: str, purpose: str, ip_address: str | None) -> Code:
    """A new code for the person, the old one terminated as replaced (DOMAIN.md §3, at most 5 a year)."""
    profile = staff_require(user=user, permission=Permission.PERSON_CHANGE)
    _check_purpose(purpose)
    with transaction.atomic():
        code = code_reissue(code=_current_code_or_error(holder), reason=reason, actor=staff_actor(profile))
        _record_change(user=user, ip_address=ip_address, purpose=purpose, holder=holder, fields=["code", "status"])
    return code


def _check_grounds(grounds: str) -> None:
    if grounds not in ExOfficioGrounds.VALUES:
        raise _error("PCC_STAFF_GROUNDS_REQUIRED", _("Choose the grounds for this decision."))


def code_suspend_ex_officio(*, user, holder: Holder, grounds: str, purpose: str, ip_address: str | None) -> Code:
    """Customs suspends a code on its own decision, e.g. when misuse is suspected (DOMAIN.md §3, 2025–26)."""
    profile = staff_require(user=user, permission=Permission.PERSON_CHANGE)
    _check_purpose(purpose)
    _check_grounds(grounds)
    with transaction.atomic():
        code = code_suspend(
            code=_current_code_or_error(holder),
            reason=SuspensionReason.EX_OFFICIO,
            actor=staff_actor(profile),
            detail={"grounds": grounds},
        )
        _record_change(user=user, ip_address=ip_address, purpose=purpose, holder=holder, fields=["status"])
    return code


def code_reinstate_at_counter(*, user, holder: Holder, purpose: str, ip_address: str | None) -> Code:
    """Lift a suspension: a supervisor's decision (staff.roles), not the officer's at the counter."""
    profile = staff_require(user=user, permission=Permission.CODE_REINSTATE)
    _check_purpose(purpose)
    with transaction.atomic():
        code = code_reinstate(code=_current_code_or_error(holder), actor=staff_actor(profile))
        _record_change(user=user, ip_address=ip_address, purpose=purpose, holder=holder, fields=["status"])
    return code


def code_terminate_ex_officio(
    *, user, holder: Holder, grounds: str, confirmed: bool, purpose: str, ip_address: str | None
) -> Code:
    """End a code for good on customs' decision: a supervisor's, confirmed, with its grounds. The code
    never verifies again (DOMAIN.md §3)."""
    profile = staff_require(user=user, permission=Permission.CODE_TERMINATE)
    _check_purpose(purpose)
    _check_grounds(grounds)
    if not confirmed:
        raise _error("PCC_STAFF_CONFIRMATION_REQUIRED", _("Tick the box to confirm."))
    with transaction.atomic():
        code = code_terminate(
            code=_current_code_or_error(holder),
            reason=TerminationReason.EX_OFFICIO,
            actor=staff_actor(profile),
            detail={"grounds": grounds},
        )
        _record_change(user=user, ip_address=ip_address, purpose=purpose, holder=holder, fields=["status"])
    return code
