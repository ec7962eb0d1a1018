"""The residents' online journeys (issue 4): apply, look up, change, SMS consent, renew, reissue,
report theft, terminate, usage history. Thin: every rule is in issuance.services; every journey
runs on a verified identity proof (verification.services), consumed once."""

from dataclasses import replace
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from issuance import validity
from issuance.forms import (
    ApplicationForm,
    ConfirmForm,
    ContactDetailsForm,
    ReissueForm,
    delivery_formset_for,
    details_form_data,
)
from issuance.mobile_confirmation import (
    mobile_confirmation_confirm,
    mobile_confirmation_is_confirmed,
    mobile_confirmation_send,
)
from issuance.models import ActorType, Channel, CodeStatus, ConsentKind, Declaration, MobileOwnership
from issuance.selectors import (
    code_current_for_holder,
    code_is_renewable,
    declarations_for_holder,
    holder_find_by_resident_number,
    reissues_remaining,
)
from issuance.services import (
    Actor,
    DeliveryAddressInput,
    HolderDetails,
    code_issue,
    code_look_up,
    code_reissue,
    code_renew,
    code_suspend,
    code_terminate,
    declaration_report_not_mine,
    holder_change_details,
    holder_set_sms_consent,
)
from pcc_portal.exceptions import ApplicationError
from pcc_portal.journeys import journey_context
from verification.models import CheckPurpose
from verification.services import (
    identity_check_birth_facts,
    identity_journey_check,
    identity_journey_end,
    identity_journey_switch,
    identity_proof_consume,
)
from verification.views.entry import STEPS_MANAGE, STEPS_NEW, restart_page

SESSION_ISSUED_CODE = "issued_code_id"
SESSION_LOOKED_UP = "journey_looked_up"


def _journey(request, purpose: str):
    """The journey's verified person: continue the journey, or start it by consuming the proof."""
    try:
        return identity_journey_check(session=request.session, purposes=(purpose,))
    except ApplicationError:
        return identity_proof_consume(session=request.session, purpose=purpose)


def _actor(check) -> Actor:
    return Actor(channel=Channel.ONLINE, actor_type=ActorType.HOLDER, method=check.method)


def _mobile_step(request, form, check) -> bool:
    """Handle "send code" and the code check for a mobile number no method has verified yet.
    Returns True when the form may be submitted as far as the mobile number is concerned."""
    mobile = form.cleaned_data.get("mobile")
    if form.cleaned_data.get("mobile_ownership") != MobileOwnership.OWN_NAME or not mobile or mobile == check.phone:
        return True
    if request.POST.get("action") == "send_code":
        mobile_confirmation_send(check=check, phone=mobile)
        messages.info(request, _("We sent a 6-digit code to your mobile number. It is valid for 3 minutes."))
        return False
    if mobile_confirmation_is_confirmed(check=check, phone=mobile):
        return True
    code = form.cleaned_data.get("mobile_code")
    if not code:
        form.add_error("mobile_code", _("Press “Send code”, then enter the code from the text message."))
        return False
    try:
        mobile_confirmation_confirm(check=check, phone=mobile, code=code)
    except ApplicationError as error:
        form.add_error("mobile_code", error.message)
        return False
    return True


def _details(check, form, addresses, *, nationality: str, sms_consent: bool, language: str) -> HolderDetails:
    data = form.cleaned_data
    own = data["mobile_ownership"] == MobileOwnership.OWN_NAME
    return HolderDetails(
        name=check.name,
        english_name=data["english_name"],
        nationality=nationality,
        resident_number=check.resident_number,
        address=data["address"],
        postcode=data["postcode"],
        telephone=data["telephone"] or None,
        email=data["email"],
        mobile_ownership=data["mobile_ownership"],
        mobile=data["mobile"] if own else None,
        language=language,
        sms_consent=sms_consent,
        delivery_addresses=tuple(DeliveryAddressInput(address=a["address"], postcode=a["postcode"]) for a in addresses),
    )


@require_http_methods(["GET", "POST"])
def apply(request):
    try:
        check = _journey(request, CheckPurpose.NEW_ISSUE)
    except ApplicationError as error:
        return restart_page(request, error)
    holder = holder_find_by_resident_number(check.resident_number)
    code = code_current_for_holder(holder) if holder else None
    if code is not None and code.status != CodeStatus.TERMINATED:
        identity_journey_switch(check=check, purpose=CheckPurpose.MANAGE)
        messages.info(request, _("You already have a Personal Customs Code, so here it is instead of a new one."))
        return redirect("issuance:my_code")

    initial = {"mobile": check.phone or "", "nationality": "KR" if not _is_foreigner(check) else ""}
    form = ApplicationForm(**details_form_data(request, initial))
    formset = delivery_formset_for(request)
    status = 200
    if request.method == "POST" and request.POST.get("action") != "add_address":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and _mobile_step(request, form, check) and formset_ok and request.POST.get("action") == "submit":
            details = _details(
                check,
                form,
                formset.addresses(),
                nationality=form.cleaned_data["nationality"],
                sms_consent=form.cleaned_data["sms_consent"],
                language=request.LANGUAGE_CODE,
            )
            details = _with_consent(details, form.cleaned_data["document_viewing_consent"])
            try:
                code = code_issue(details=details, actor=_actor(check))
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                request.session[SESSION_ISSUED_CODE] = code.pk
                identity_journey_switch(check=check, purpose=CheckPurpose.MANAGE)
                return redirect("issuance:apply_done")
        status = 400 if (form.errors or formset.total_error_count()) else 200
    context = journey_context(
        request, steps=STEPS_NEW, step=3, form=form, formset=formset, check=check, verified_phone=check.phone
    )
    return render(request, "issuance/apply.html", context, status=status)


def _with_consent(details: HolderDetails, given: bool) -> HolderDetails:
    return replace(details, document_viewing_consent=given)


def _is_foreigner(check) -> bool:
    return identity_check_birth_facts(check).is_foreigner


@require_GET
def apply_done(request):
    try:
        check = identity_journey_check(session=request.session, purposes=(CheckPurpose.MANAGE,))
    except ApplicationError as error:
        return restart_page(request, error)
    holder = holder_find_by_resident_number(check.resident_number)
    code = code_current_for_holder(holder) if holder else None
    if code is None or code.pk != request.session.get(SESSION_ISSUED_CODE):
        return redirect("issuance:my_code")
    return render(request, "issuance/apply_done.html", journey_context(request, steps=STEPS_NEW, step=4, code=code))


def _look_up_journey(*, code_required: bool = True):
    """Call `view(request, check, holder, code)` in the look-up journey (continued, or started by
    consuming the proof); without one, the restart page. Without a current code, 404 unless the view
    says it can do without."""

    def decorator(view):
        @wraps(view)
        def wrapped(request):
            try:
                check = _journey(request, CheckPurpose.MANAGE)
            except ApplicationError as error:
                return restart_page(request, error)
            holder = holder_find_by_resident_number(check.resident_number)
            code = code_current_for_holder(holder) if holder else None
            if code is None and code_required:
                raise Http404
            return view(request, check, holder, code)

        return wrapped

    return decorator


@require_GET
@_look_up_journey(code_required=False)
def my_code(request, check, holder, code):
    if code is None:
        return render(request, "issuance/no_code.html", journey_context(request, steps=STEPS_MANAGE, step=3))
    if request.session.get(SESSION_LOOKED_UP) != str(code.pk):
        code_look_up(code=code, actor=_actor(check))  # one event per journey, not per refresh
        request.session[SESSION_LOOKED_UP] = str(code.pk)
    context = journey_context(
        request,
        steps=STEPS_MANAGE,
        step=3,
        code=code,
        holder=holder,
        delivery_addresses=list(holder.delivery_addresses.all()),
        sms_consent=holder.consents.filter(kind=ConsentKind.SMS_NOTICES, withdrawn_at__isnull=True).first(),
        document_consent=holder.consents.filter(kind=ConsentKind.DOCUMENT_VIEWING, withdrawn_at__isnull=True).first(),
        can_renew=code_is_renewable(code),
        renewal_opens=validity.renewal_window(code.expires_on)[0],
        reissues_left=reissues_remaining(holder=holder),
        declarations_count=Declaration.objects.filter(code__holder=holder).count(),
    )
    return render(request, "issuance/my_code.html", context)


@require_http_methods(["GET", "POST"])
@_look_up_journey()
def change(request, check, holder, code):
    initial = {
        "english_name": holder.english_name,
        "address": holder.address,
        "postcode": holder.postcode,
        "telephone": holder.telephone or "",
        "email": holder.email,
        "mobile_ownership": holder.mobile_ownership,
        "mobile": holder.mobile or "",
    }
    form = ContactDetailsForm(**details_form_data(request, initial))
    formset = delivery_formset_for(
        request, initial=[{"address": d.address, "postcode": d.postcode} for d in holder.delivery_addresses.all()]
    )
    status = 200
    if request.method == "POST" and request.POST.get("action") != "add_address":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and _mobile_step(request, form, check) and formset_ok and request.POST.get("action") == "submit":
            details = _details(
                check,
                form,
                formset.addresses(),
                nationality=str(holder.nationality),
                sms_consent=False,
                language=holder.language,
            )
            try:
                holder_change_details(code=code, details=details, actor=_actor(check))
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your details were changed and your code is valid for another year."))
                return redirect("issuance:my_code")
        status = 400 if (form.errors or formset.total_error_count()) else 200
    context = journey_context(
        request, steps=STEPS_MANAGE, step=3, form=form, formset=formset, code=code, verified_phone=check.phone
    )
    return render(request, "issuance/change.html", context, status=status)


@require_POST
@_look_up_journey()
def sms_consent(request, check, _holder, code):
    give = request.POST.get("given") == "yes"
    holder_set_sms_consent(code=code, given=give, actor=_actor(check))
    messages.success(
        request,
        _("You will get text messages about declarations with your code.")
        if give
        else _("You will no longer get text messages about declarations."),
    )
    return redirect("issuance:my_code")


@require_POST
@_look_up_journey()
def renew(request, check, _holder, code):
    try:
        code_renew(code=code, actor=_actor(check))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("issuance:my_code")
    messages.success(request, _("Your code was renewed for one year."))
    return redirect("issuance:my_code")


@require_http_methods(["GET", "POST"])
@_look_up_journey()
def reissue(request, check, holder, code):
    form = ReissueForm(request.POST if request.method == "POST" else None)
    reissues_left = reissues_remaining(holder=holder)
    if request.method == "POST" and form.is_valid():
        try:
            new = code_reissue(code=code, reason=form.cleaned_data["reason"], actor=_actor(check))
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            request.session[SESSION_ISSUED_CODE] = new.pk
            messages.success(request, _("Your new code is ready. The old one no longer works."))
            return redirect("issuance:my_code")
    context = journey_context(request, steps=STEPS_MANAGE, step=3, form=form, code=code, reissues_left=reissues_left)
    return render(request, "issuance/reissue.html", context, status=400 if form.errors else 200)


def _confirm_page(request, *, code, template: str, act, done):
    """A page with one "I understand" box (ConfirmForm): a confirmed POST calls `act()`, the service;
    its error shows on the page, its success returns `done()`."""
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            act()
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return done()
    context = journey_context(request, steps=STEPS_MANAGE, step=3, form=form, code=code)
    return render(request, template, context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@_look_up_journey()
def theft(request, check, _holder, code):
    def done():
        messages.success(
            request, _("Your code is suspended: nobody can use it now. Get a new code below if you need one.")
        )
        return redirect("issuance:reissue")

    return _confirm_page(
        request,
        code=code,
        template="issuance/theft.html",
        act=lambda: code_suspend(code=code, reason="theft_report", actor=_actor(check)),
        done=done,
    )


@require_http_methods(["GET", "POST"])
@_look_up_journey()
def terminate(request, check, _holder, code):
    def done():
        identity_journey_end(session=request.session)
        return render(request, "issuance/terminated.html", journey_context(request, code=code))

    return _confirm_page(
        request,
        code=code,
        template="issuance/terminate.html",
        act=lambda: code_terminate(code=code, reason="voluntary", actor=_actor(check)),
        done=done,
    )


@require_http_methods(["GET", "POST"])
@_look_up_journey()
def history(request, check, holder, code):
    declarations = declarations_for_holder(holder)
    if request.method == "POST":
        declaration = declarations.filter(pk=request.POST.get("declaration")).first()
        if declaration is None:
            raise Http404
        try:
            declaration_report_not_mine(declaration=declaration, actor=_actor(check))
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("issuance:history")
        messages.success(request, _("Thank you. Your code is suspended so nobody can use it; get a new code below."))
        return redirect("issuance:reissue")
    context = journey_context(request, steps=STEPS_MANAGE, step=3, code=code, declarations=declarations)
    return render(request, "issuance/history.html", context)
