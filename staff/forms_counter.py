"""What a customs officer types at the counter: the paper application (seed 000), the person look-up
and the actions on a person's code. The contact fields and their validators are the online form's
(issuance.forms); only the wording changes, since the officer types what the applicant wrote."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from issuance.codes import normalise_code, validate_code_format
from issuance.forms import ApplicationForm, ConfirmForm, ContactDetailsForm, ReissueForm
from issuance.models import IdentityDocument, Language, MobileOwnership
from issuance.services import ReissueReason
from pcc_portal.forms import KrdsRadioSelect, PortalForm
from personal_data.identity import (
    normalise_passport_number,
    validate_birth_date_8,
    validate_passport_number,
    validate_resident_number,
)
from staff.counter import PERSON_PURPOSES, ExOfficioGrounds, PersonSearch
from verification.forms import holder_name_field

NO_IDENTIFIER_MESSAGE = _("Enter a code, a registration number, or a passport number.")


def _registration_number_field(help_text) -> forms.CharField:
    # A text box, not a password box as online: the officer compares what they typed with the card.
    return forms.CharField(
        label=_("Registration number"),
        required=False,
        max_length=20,
        validators=[validate_resident_number],
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )


def _passport_number_field(help_text) -> forms.CharField:
    return forms.CharField(
        label=_("Passport number"),
        required=False,
        max_length=30,
        validators=[validate_passport_number],
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )


def _nationality_choices():
    return [("", _("Choose the nationality")), *countries]


class CounterContactForm(ContactDetailsForm):
    """The online contact fields, worded for the officer. No confirmation code by text message: the
    officer has the applicant and the signed form in front of them."""

    mobile_code = None
    language = forms.ChoiceField(
        label=_("Language of text messages and emails"),
        choices=Language.choices,
        initial=Language.KOREAN,
        widget=KrdsRadioSelect(inline=True),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["english_name"].help_text = _("As in the passport or on the card, in Latin letters.")
        self.fields["address"].help_text = _("The applicant's address in Korea, including the building and unit.")
        self.fields["mobile_ownership"].label = _("Mobile phone in the applicant's own name")
        self.fields["mobile_ownership"].choices = [
            (MobileOwnership.OWN_NAME, _("In the applicant's own name")),
            (MobileOwnership.NONE, _("None in the applicant's name")),
        ]


class CounterApplicationForm(CounterContactForm, ApplicationForm):
    """The paper "Clearance Unique Code Application (for an Individual)" (seed 000), typed by the officer."""

    document = forms.ChoiceField(
        label=_("Identity document shown"),
        choices=[
            (IdentityDocument.RESIDENT_NUMBER, _("Alien registration card or resident registration card")),
            (IdentityDocument.PASSPORT, _("Passport (no real-name check; the code cannot be looked up online)")),
        ],
        widget=KrdsRadioSelect,
        error_messages={"required": _("Choose the identity document the applicant showed.")},
    )
    name = holder_name_field(_("As on the card or passport. Latin letters are kept in capitals."))
    resident_number = _registration_number_field(
        _("With a registration card: 13 digits, for example 900101-5234567. Checked with the registry.")
    )
    passport_number = _passport_number_field(_("With a passport."))
    birth_date = forms.CharField(
        label=_("Date of birth"),
        required=False,
        max_length=8,
        help_text=_("With a passport: 8 digits, year month day, for example 19900131."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    paper_form_received = forms.BooleanField(
        label=_("I received the application form signed by the applicant."),
        error_messages={"required": _("Receive the signed paper application before issuing a code at the counter.")},
    )

    field_order = [
        "document",
        "name",
        "resident_number",
        "passport_number",
        "nationality",
        "birth_date",
        "english_name",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = _nationality_choices()
        self.fields["document_viewing_consent"].label = _(
            "The applicant agreed that customs may view their resident registration abstract through shared "
            "administrative information (Electronic Government Act, Article 36) to check this application."
        )
        self.fields["document_viewing_consent"].error_messages["required"] = _(
            "The applicant's consent to the viewing of documents is required to issue a code."
        )
        self.fields["sms_consent"].label = _(
            "The applicant wants a text message when a declaration is filed with the code or the code changes. "
            "(optional)"
        )

    # Field groups of the page (templates/staff/counter_issue.html), in the paper form's order.
    IDENTITY_FIELDS = ("document", "name", "resident_number", "passport_number", "nationality", "birth_date")
    CONTACT_FIELDS = tuple(CounterContactForm.base_fields)
    CONSENT_FIELDS = ("sms_consent", "document_viewing_consent", "paper_form_received")

    def _group(self, names):
        return [self[name] for name in names]

    def identity_fields(self):
        return self._group(self.IDENTITY_FIELDS)

    def contact_fields(self):
        return self._group(self.CONTACT_FIELDS)

    def consent_fields(self):
        return self._group(self.CONSENT_FIELDS)

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        return validate_birth_date_8(value) if value else None

    def clean(self):
        cleaned = super().clean()
        document = cleaned.get("document")
        if document == IdentityDocument.RESIDENT_NUMBER:
            cleaned["passport_number"], cleaned["birth_date"] = "", None
            if not cleaned.get("resident_number") and "resident_number" not in self.errors:
                self.add_error("resident_number", _("Enter the registration number from the card."))
        elif document == IdentityDocument.PASSPORT:
            cleaned["resident_number"] = ""
            if not cleaned.get("passport_number") and "passport_number" not in self.errors:
                self.add_error("passport_number", _("Enter the passport number."))
            if not cleaned.get("birth_date") and "birth_date" not in self.errors:
                self.add_error("birth_date", _("The date of birth is required with a passport."))
        return cleaned


class PersonSearchForm(PortalForm):
    """Why, then who: one identifier, sent by POST so that it never appears in a URL or a server log."""

    purpose = forms.ChoiceField(
        label=_("Purpose of the look-up"),
        choices=[(purpose.value, purpose.label) for purpose in PERSON_PURPOSES],
        widget=KrdsRadioSelect,
        error_messages={"required": _("Choose why you are opening this person's record.")},
    )
    code = forms.CharField(
        label=_("Personal Customs Code"),
        required=False,
        max_length=20,
        validators=[validate_code_format],
        help_text=_("P and 12 digits."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    resident_number = _registration_number_field(_("Or a resident or alien registration number, 13 digits."))
    passport_number = _passport_number_field(_("Or a passport number, with the nationality below."))
    nationality = forms.ChoiceField(label=_("Nationality of the passport"), required=False, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = _nationality_choices()

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        given = [name for name in ("code", "resident_number", "passport_number") if cleaned.get(name)]
        if not given:
            raise forms.ValidationError(NO_IDENTIFIER_MESSAGE, code="PCC_STAFF_SEARCH_REQUIRED")
        if len(given) > 1:
            raise forms.ValidationError(_("Search by one identifier at a time."), code="PCC_STAFF_SEARCH_ONE")
        if given == ["passport_number"] and not cleaned.get("nationality"):
            self.add_error("nationality", _("Choose the nationality of the passport."))
        return cleaned

    def search(self) -> PersonSearch:
        data = self.cleaned_data
        return PersonSearch(
            code=normalise_code(data["code"]) if data["code"] else "",
            resident_number=data["resident_number"],
            passport_number=normalise_passport_number(data["passport_number"]),
            nationality=data["nationality"] if data["passport_number"] else "",
        )


REISSUE_REASON_CHOICES = (
    (ReissueReason.LOST, _("Lost")),
    (ReissueReason.STOLEN, _("Stolen or leaked")),
    (ReissueReason.OTHER, _("Other reason")),
)


class CounterReissueForm(ReissueForm):
    """The online reissue form, its reasons worded for the officer rather than the holder."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Why does the person need a new code?")
        self.fields["reason"].choices = REISSUE_REASON_CHOICES


class GroundsForm(PortalForm):
    grounds = forms.ChoiceField(
        label=_("Grounds"),
        choices=ExOfficioGrounds.CHOICES,
        widget=KrdsRadioSelect,
        error_messages={"required": _("Choose the grounds for this decision.")},
    )


class TerminateForm(GroundsForm, ConfirmForm):
    """Ending a code for good: the grounds, and an explicit confirmation (it cannot be undone)."""

    field_order = ["grounds", "confirm"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = _("I understand that the code will never work again.")
