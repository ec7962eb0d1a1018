"""Counter issuance (DOMAIN.md §7, seed 000): the officer types the paper application, the code is
issued at their office, and a bilingual confirmation is printed for the holder. Thin: the rules are in
staff.counter and issuance.services."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AccessAction, AccessPurpose
from audit.services import access_record_for_request, client_ip

# The online journey's "add another address" handling (works without JavaScript), shared as is.
from issuance.forms import delivery_formset_for, details_form_data
from issuance.models import IdentityDocument, MobileOwnership
from issuance.services import DeliveryAddressInput, HolderDetails
from pcc_portal.exceptions import ApplicationError
from staff.counter import HOLDER_RECORD, code_issue_at_counter, counter_code_for_confirmation
from staff.decorators import staff_forbidden_page, staff_page
from staff.forms_counter import CounterApplicationForm
from staff.roles import Permission
from staff.services import StaffForbidden

# What the printed confirmation shows of the person (access record "fields"): all masked but the code.
CONFIRMATION_FIELDS = ["code", "name", "english_name", "nationality", "resident_number", "passport_number"]


def _details(form, addresses) -> HolderDetails:
    data = form.cleaned_data
    own = data["mobile_ownership"] == MobileOwnership.OWN_NAME
    return HolderDetails(
        name=data["name"],
        english_name=data["english_name"],
        nationality=data["nationality"],
        resident_number=data["resident_number"] or None,
        passport_number=data["passport_number"] or None,
        birth_date=data["birth_date"],
        address=data["address"],
        postcode=data["postcode"],
        telephone=data["telephone"] or None,
        email=data["email"],
        mobile_ownership=data["mobile_ownership"],
        mobile=data["mobile"] if own else None,
        language=data["language"],
        sms_consent=data["sms_consent"],
        document_viewing_consent=data["document_viewing_consent"],
        delivery_addresses=tuple(DeliveryAddressInput(address=a["address"], postcode=a["postcode"]) for a in addresses),
    )


@staff_page(Permission.COUNTER_ISSUE)
@require_http_methods(["GET", "POST"])
def counter_issue(request):
    form = CounterApplicationForm(**details_form_data(request, {}))
    formset = delivery_formset_for(request)
    status = 200
    if request.method == "POST" and request.POST.get("action") != "add_address":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            try:
                code = code_issue_at_counter(
                    officer_user=request.user,
                    details=_details(form, formset.addresses()),
                    document=form.cleaned_data["document"],
                    paper_form_received=form.cleaned_data["paper_form_received"],
                    ip_address=client_ip(request),
                )
            except StaffForbidden as error:
                return staff_forbidden_page(request, error)
            except ApplicationError as error:
                form.add_error(None, error.message)
            except ValidationError as error:  # a value the form let through but the record refuses
                form.add_error(None, error.messages[0])
            else:
                return redirect("staff:counter_confirmation", code_id=code.pk)
        status = 400
    return render(request, "staff/counter_issue.html", {"form": form, "formset": formset}, status=status)


@staff_page(Permission.COUNTER_ISSUE)
@require_GET
def counter_confirmation(request, code_id):
    """The holder's printed confirmation, in Korean and English whatever the page language. Opening it
    is printing it: the access record says so."""
    try:
        code = counter_code_for_confirmation(user=request.user, code_id=code_id)
    except StaffForbidden as error:
        return staff_forbidden_page(request, error)
    if code is None:
        raise Http404
    holder = code.holder
    by_passport = holder.identity_document == IdentityDocument.PASSPORT
    access_record_for_request(
        request,
        action=AccessAction.PRINT,
        purpose=AccessPurpose.COUNTER_REQUEST,
        record_type=HOLDER_RECORD,
        record_id=str(holder.pk),
        holder=holder,
        fields=[f for f in CONFIRMATION_FIELDS if f != ("resident_number" if by_passport else "passport_number")],
    )
    context = {"code": code, "holder": holder, "office": code.office, "by_passport": by_passport}
    return render(request, "staff/counter_confirmation.html", context)
