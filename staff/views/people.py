"""Staff look-up of a person and the actions on their code (issue 5). A person's record opens only for a
purpose chosen in this session; identifiers travel by POST, never in a URL (the URL carries the record's
random id). Every page that shows personal data, and every change, leaves an access record."""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AccessAction, AccessPurpose
from audit.services import access_record_for_request, client_ip

# The online journey's "add another address" handling (works without JavaScript), shared as is.
from issuance.forms import delivery_formset_for, details_form_data
from issuance.models import CodeStatus, ConsentKind, EventKind, IdentityDocument, SuspensionReason, TerminationReason
from issuance.selectors import code_current_for_holder, reissues_remaining
from issuance.services import DeliveryAddressInput, HolderDetails
from pcc_portal.exceptions import ApplicationError
from staff.counter import (
    HOLDER_RECORD,
    PERSON_PURPOSES,
    ExOfficioGrounds,
    code_reinstate_at_counter,
    code_reissue_at_counter,
    code_suspend_ex_officio,
    code_terminate_ex_officio,
    holder_change_details_at_counter,
    holder_events,
    person_find,
    person_get,
)
from staff.decorators import staff_forbidden_page, staff_page
from staff.forms_counter import (
    REISSUE_REASON_CHOICES,
    CounterContactForm,
    CounterReissueForm,
    GroundsForm,
    PersonSearchForm,
    TerminateForm,
)
from staff.roles import Permission
from staff.services import StaffForbidden

SESSION_PURPOSES = "staff_purpose"  # {holder id: purpose} chosen at the search, for this session only

# What the detail page shows (access record "fields"); identifiers, phones, email and address masked.
DETAIL_FIELDS = [
    "name",
    "english_name",
    "nationality",
    "identity_document",
    "address",
    "telephone",
    "mobile",
    "email",
    "sms_consent",
    "code",
    "status",
    "expires_on",
    "office",
    "events",
]
# What the "change details" form shows, unmasked, to be changed.
CHANGE_FORM_FIELDS = [*CounterContactForm.base_fields, "delivery_addresses"]

_GROUNDS = dict(ExOfficioGrounds.CHOICES)


def _purpose_of(request, holder_id) -> str | None:
    return request.session.get(SESSION_PURPOSES, {}).get(str(holder_id))


def _purpose_set(request, holder_id, purpose: str) -> None:
    purposes = dict(request.session.get(SESSION_PURPOSES, {}))
    purposes[str(holder_id)] = purpose
    request.session[SESSION_PURPOSES] = purposes


def _opened(view):
    """Run `view(request, holder, purpose)` for a person whose record was opened in this session with a
    purpose; otherwise back to the search (choosing the purpose is not optional)."""

    @wraps(view)
    def wrapped(request, holder_id):
        purpose = _purpose_of(request, holder_id)
        if purpose not in PERSON_PURPOSES:
            messages.info(request, _("Search for the person and choose the purpose of the look-up first."))
            return redirect("staff:person_search")
        holder = person_get(user=request.user, holder_id=holder_id)
        if holder is None:
            raise Http404
        return view(request, holder, purpose)

    return wrapped


@staff_page(Permission.PERSON_LOOK_UP)
@require_http_methods(["GET", "POST"])
def person_search(request):
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    not_found, status = False, 200
    if request.method == "POST":
        if form.is_valid():
            holder = person_find(user=request.user, search=form.search())
            if holder is not None:
                _purpose_set(request, holder.pk, form.cleaned_data["purpose"])
                return redirect("staff:person_detail", holder_id=holder.pk)
            not_found = True
        else:
            status = 400
    return render(request, "staff/person_search.html", {"form": form, "not_found": not_found}, status=status)


def _event_rows(holder) -> list[dict]:
    """The person's history as the page shows it: reasons and grounds in words, codes masked."""
    reason_labels = {
        EventKind.SUSPENDED: dict(SuspensionReason.choices),
        EventKind.TERMINATED: dict(TerminationReason.choices),
        EventKind.REISSUED: dict(REISSUE_REASON_CHOICES),
    }
    rows = []
    for event in holder_events(holder):
        reason = reason_labels.get(event.kind, {}).get(event.reason, "")
        grounds = _GROUNDS.get(event.detail.get("grounds", ""), "")
        rows.append({"event": event, "reason": reason, "grounds": grounds})
    return rows


def _detail_page(request, holder, purpose: str, *, action_forms: dict | None = None, status: int = 200):
    code = code_current_for_holder(holder)
    by_passport = holder.identity_document == IdentityDocument.PASSPORT
    access_record_for_request(
        request,
        action=AccessAction.VIEW,
        purpose=purpose,
        record_type=HOLDER_RECORD,
        record_id=str(holder.pk),
        holder=holder,
        fields=[*DETAIL_FIELDS, "passport_number" if by_passport else "resident_number"],
    )
    forms = {
        "reissue_form": CounterReissueForm(prefix="reissue"),
        "suspend_form": GroundsForm(prefix="suspend"),
        "terminate_form": TerminateForm(prefix="terminate"),
        **(action_forms or {}),
    }
    permissions = request.staff.permissions
    in_use = code is not None and code.status != CodeStatus.TERMINATED
    context = {
        "holder": holder,
        "code": code,
        "by_passport": by_passport,
        "purpose_label": AccessPurpose(purpose).label,
        "events": _event_rows(holder),
        "sms_consent": holder.consents.filter(kind=ConsentKind.SMS_NOTICES, withdrawn_at__isnull=True).exists(),
        "delivery_count": holder.delivery_addresses.count(),
        "reissues_left": reissues_remaining(holder=holder),
        "can_change": in_use
        and code.status in (CodeStatus.ACTIVE, CodeStatus.SUSPENDED)
        and Permission.PERSON_CHANGE in permissions,
        "can_reissue": in_use and Permission.PERSON_CHANGE in permissions,
        "can_suspend": in_use and code.status != CodeStatus.SUSPENDED and Permission.PERSON_CHANGE in permissions,
        "can_reinstate": in_use and code.status == CodeStatus.SUSPENDED and Permission.CODE_REINSTATE in permissions,
        "can_terminate": in_use and Permission.CODE_TERMINATE in permissions,
        "can_print": in_use
        and code.office_id is not None
        and code.office_id == request.staff.office_id
        and Permission.COUNTER_ISSUE in permissions,
        **forms,
    }
    return render(request, "staff/person_detail.html", context, status=status)


@staff_page(Permission.PERSON_LOOK_UP)
@require_GET
@_opened
def person_detail(request, holder, purpose):
    return _detail_page(request, holder, purpose)


def _contact_initial(holder) -> dict:
    # Every field of the contact form is a field of the holder with the same name.
    return {name: getattr(holder, name) or "" for name in CounterContactForm.base_fields}


def _contact_details(holder, form, addresses) -> HolderDetails:
    data = form.cleaned_data
    return HolderDetails(
        name=holder.name,
        english_name=data["english_name"],
        nationality=str(holder.nationality),
        address=data["address"],
        postcode=data["postcode"],
        telephone=data["telephone"] or None,
        email=data["email"],
        mobile_ownership=data["mobile_ownership"],
        mobile=data["mobile"] or None,
        language=data["language"],
        delivery_addresses=tuple(DeliveryAddressInput(address=a["address"], postcode=a["postcode"]) for a in addresses),
    )


@staff_page(Permission.PERSON_CHANGE)
@require_http_methods(["GET", "POST"])
@_opened
def person_change(request, holder, purpose):
    """The details form, prefilled with what is on record: showing it is a view of those fields."""
    form = CounterContactForm(**details_form_data(request, _contact_initial(holder)))
    formset = delivery_formset_for(
        request, initial=[{"address": d.address, "postcode": d.postcode} for d in holder.delivery_addresses.all()]
    )
    status = 200
    if request.method == "POST" and request.POST.get("action") != "add_address":
        if form.is_valid() and formset.is_valid():
            try:
                holder_change_details_at_counter(
                    user=request.user,
                    holder=holder,
                    details=_contact_details(holder, form, formset.addresses()),
                    purpose=purpose,
                    ip_address=client_ip(request),
                )
            except StaffForbidden as error:
                return staff_forbidden_page(request, error)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The details were changed."))
                return redirect("staff:person_detail", holder_id=holder.pk)
        status = 400
    else:
        access_record_for_request(
            request,
            action=AccessAction.VIEW,
            purpose=purpose,
            record_type=HOLDER_RECORD,
            record_id=str(holder.pk),
            holder=holder,
            fields=CHANGE_FORM_FIELDS,
        )
    context = {"holder": holder, "form": form, "formset": formset, "purpose_label": AccessPurpose(purpose).label}
    return render(request, "staff/person_change.html", context, status=status)


def _act(request, holder, purpose, *, form=None, form_key: str = "", act, success):
    """One action of the detail page: validate its form, call the service, then back to the page with a
    message; invalid input or a refusal re-shows the page (400) with the reason."""
    if form is None or form.is_valid():
        data = form.cleaned_data if form is not None else {}
        try:
            act(data)
        except StaffForbidden as error:
            return staff_forbidden_page(request, error)
        except ApplicationError as error:
            # At the top of the page: the action's own box may be gone (a code already suspended has none).
            messages.error(request, error.message)
        else:
            messages.success(request, success)
            return redirect("staff:person_detail", holder_id=holder.pk)
    return _detail_page(request, holder, purpose, action_forms={form_key: form} if form else None, status=400)


def _service_kwargs(request, holder, purpose) -> dict:
    return {"user": request.user, "holder": holder, "purpose": purpose, "ip_address": client_ip(request)}


@staff_page(Permission.PERSON_CHANGE)
@require_POST
@_opened
def person_reissue(request, holder, purpose):
    return _act(
        request,
        holder,
        purpose,
        form=CounterReissueForm(request.POST, prefix="reissue"),
        form_key="reissue_form",
        act=lambda data: code_reissue_at_counter(reason=data["reason"], **_service_kwargs(request, holder, purpose)),
        success=_("A new code was issued. The old one no longer works."),
    )


@staff_page(Permission.PERSON_CHANGE)
@require_POST
@_opened
def person_suspend(request, holder, purpose):
    return _act(
        request,
        holder,
        purpose,
        form=GroundsForm(request.POST, prefix="suspend"),
        form_key="suspend_form",
        act=lambda data: code_suspend_ex_officio(grounds=data["grounds"], **_service_kwargs(request, holder, purpose)),
        success=_("The code is suspended: it does not pass any check until it is reinstated."),
    )


@staff_page(Permission.CODE_REINSTATE)
@require_POST
@_opened
def person_reinstate(request, holder, purpose):
    return _act(
        request,
        holder,
        purpose,
        act=lambda _data: code_reinstate_at_counter(**_service_kwargs(request, holder, purpose)),
        success=_("The suspension was lifted."),
    )


@staff_page(Permission.CODE_TERMINATE)
@require_POST
@_opened
def person_terminate(request, holder, purpose):
    return _act(
        request,
        holder,
        purpose,
        form=TerminateForm(request.POST, prefix="terminate"),
        form_key="terminate_form",
        act=lambda data: code_terminate_ex_officio(
            grounds=data["grounds"], confirmed=data["confirm"], **_service_kwargs(request, holder, purpose)
        ),
        success=_("The code was terminated. It will never work again."),
    )
