"""What a resident types in the online journeys; messages in Korean and English (DOMAIN.md §5)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from issuance.models import MAX_DELIVERY_ADDRESSES, MobileOwnership
from issuance.services import ReissueReason
from pcc_portal.forms import KrdsRadioSelect, PortalForm
from personal_data.contact import (
    normalise_email,
    normalise_phone,
    normalise_postcode,
    validate_email_address,
    validate_mobile_phone,
    validate_postcode,
    validate_telephone,
)
from personal_data.identity import validate_english_name

REQUIRED_MOBILE = _("Enter your mobile number, or choose that you have none in your name.")


class ContactDetailsForm(PortalForm):
    """The details a holder can give and change: shared by the application and "change details"."""

    english_name = forms.CharField(
        label=_("English name"),
        max_length=50,
        validators=[validate_english_name],
        help_text=_("As in your passport, in Latin letters."),
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "characters"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        help_text=_("Your address in Korea, including the building and unit."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=7,
        validators=[validate_postcode],
        help_text=_("5 digits."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    telephone = forms.CharField(
        label=_("Telephone"),
        required=False,
        max_length=20,
        validators=[validate_telephone],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        validators=[validate_email_address],
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    mobile_ownership = forms.ChoiceField(
        label=_("Mobile phone in your own name"),
        choices=MobileOwnership.choices,
        widget=KrdsRadioSelect,
        initial=MobileOwnership.OWN_NAME,
    )
    mobile = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=20,
        validators=[validate_mobile_phone],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    mobile_code = forms.CharField(
        label=_("Confirmation code"),
        required=False,
        max_length=6,
        help_text=_("The 6-digit code sent to your mobile number. Not needed for the number you verified with."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean_telephone(self):
        value = self.cleaned_data["telephone"]
        return normalise_phone(value) if value else ""

    def clean_mobile(self):
        value = self.cleaned_data["mobile"]
        return normalise_phone(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        own_name = cleaned.get("mobile_ownership") == MobileOwnership.OWN_NAME
        if own_name and not cleaned.get("mobile") and "mobile" not in self.errors:
            self.add_error("mobile", REQUIRED_MOBILE)
        return cleaned


class ApplicationForm(ContactDetailsForm):
    nationality = forms.ChoiceField(label=_("Nationality"), choices=[])
    document_viewing_consent = forms.BooleanField(
        label=_(
            "I agree that customs may view my resident registration abstract through shared administrative "
            "information (Electronic Government Act, Article 36) to check this application."
        ),
        error_messages={"required": _("This consent is required to apply.")},
    )
    sms_consent = forms.BooleanField(
        label=_(
            "Send me a text message when an import or export declaration is filed with my code, or when my "
            "code changes. (optional)"
        ),
        required=False,
    )

    field_order = ["english_name", "nationality"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [("", _("Choose your nationality")), *countries]


class DeliveryAddressForm(PortalForm):
    address = forms.CharField(label=_("Delivery address"), max_length=200)
    postcode = forms.CharField(label=_("Postcode"), max_length=7, validators=[validate_postcode])

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])


class BaseDeliveryAddressFormSet(forms.BaseFormSet):
    def addresses(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("address")
        ]


DeliveryAddressFormSet = forms.formset_factory(
    DeliveryAddressForm,
    formset=BaseDeliveryAddressFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_DELIVERY_ADDRESSES,
    validate_max=True,
    absolute_max=MAX_DELIVERY_ADDRESSES,
)


class ReissueForm(PortalForm):
    reason = forms.ChoiceField(
        label=_("Why do you need a new code?"),
        choices=[
            (ReissueReason.LOST, _("I lost it")),
            (ReissueReason.STOLEN, _("It was stolen or leaked")),
            (ReissueReason.OTHER, _("Another reason")),
        ],
        widget=KrdsRadioSelect,
    )


class ConfirmForm(PortalForm):
    confirm = forms.BooleanField(
        label=_("I understand, and I want to go ahead."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


def delivery_formset_for(request, *, initial=None):
    """Bound on POST; "add another address" re-renders with one more empty row (works without JS)."""
    if request.method != "POST":
        return DeliveryAddressFormSet(prefix="delivery", initial=initial or [])
    data = request.POST.copy()
    if request.POST.get("action") == "add_address":
        total = data.get("delivery-TOTAL_FORMS", "0")
        total = int(total) if total.isdigit() else 0  # a tampered count is treated as none, never a 500
        data["delivery-TOTAL_FORMS"] = str(min(total + 1, DeliveryAddressFormSet.max_num))
    return DeliveryAddressFormSet(data, prefix="delivery")


def details_form_data(request, initial: dict) -> dict:
    """Data and initial values of the details form: bound on a real submit; on "add another address" it is
    re-shown unbound with what was typed, so asking for a row does not flag unfinished fields."""
    if request.method != "POST":
        return {"data": None, "initial": initial}
    if request.POST.get("action") == "add_address":
        return {"data": None, "initial": request.POST.dict()}
    return {"data": request.POST, "initial": initial}
