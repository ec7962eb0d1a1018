"""What a person types for the phone-based methods: mobile phone (KMC/PASS) and simple certification.

Kept apart from `verification/forms.py` (the real-name step) so that each method's inputs sit together;
domain matching happens in the services (`verification.mobile`, `verification.simple`), not here.
"""

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from pcc_portal.forms import KrdsRadioSelect, PortalForm
from personal_data.contact import validate_mobile_phone
from personal_data.identity import validate_birth_date_8
from verification.forms import holder_name_field
from verification.models import MobileChannel, PushProvider, Sex, Telecom

NATIONALITY_CHOICES = [("foreign", _("Foreigner")), ("korean", _("Korean national"))]


class PortalCaptchaInput(CaptchaTextInput):
    """The "security characters" picture of the KMC form, with a translated text alternative."""

    template_name = "verification/widgets/captcha.html"
    # One box to type in (the other subwidget is the hidden key): a <label> for that box
    # (`id_for_label` is its id), not a fieldset whose legend names no input.
    use_fieldset = False


def _birth_date_field() -> forms.CharField:
    return forms.CharField(
        label=_("Date of birth"),
        max_length=8,
        help_text=_("8 digits, year month day, for example 19900131."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )


def _phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("Mobile phone number"),
        max_length=20,
        validators=[validate_mobile_phone],
        help_text=_("For example 010-1234-5678."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class MobileStartForm(PortalForm):
    """KMC's form (seed 001 Q6 ④): telecom, name, birth date, sex, Korean/foreign, phone, captcha."""

    channel = forms.ChoiceField(label=_("How to confirm"), choices=MobileChannel.choices, widget=forms.HiddenInput)
    telecom = forms.ChoiceField(label=_("Telecom"), choices=Telecom.choices, widget=KrdsRadioSelect)
    name = holder_name_field(
        _("As registered with your telecom: the name on your alien registration card. Spaces do not matter.")
    )
    birth_date = _birth_date_field()
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=KrdsRadioSelect(inline=True))
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=NATIONALITY_CHOICES, widget=KrdsRadioSelect(inline=True)
    )
    phone = _phone_field()
    captcha = CaptchaField(
        label=_("Security characters"),
        help_text=_("Type the characters in the picture. Reload the page for a new picture."),
        widget=PortalCaptchaInput,
        error_messages={
            "invalid": _("The characters do not match the picture. Type the characters of the new picture."),
            "required": _("Type the characters in the picture."),
            "incomplete": _("Type the characters in the picture."),
        },
    )

    def clean_birth_date(self):
        return validate_birth_date_8(self.cleaned_data["birth_date"])

    @property
    def is_foreigner(self) -> bool:
        return self.cleaned_data["nationality"] == "foreign"


class MobileCodeForm(PortalForm):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        validators=[
            RegexValidator(
                r"^[0-9]{6}$", message=_("Enter the 6 digits of the code in the text message."), code="PCC_CODE_FORMAT"
            )
        ],
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false", "maxlength": "6"}
        ),
    )


class SimpleStartForm(PortalForm):
    """Seed 001 "Simple Certification": the app, then name, birth date and phone."""

    provider = forms.ChoiceField(label=_("App"), choices=PushProvider.choices, widget=KrdsRadioSelect)
    name = holder_name_field(_("As registered in the app, which must be the name on your alien registration card."))
    birth_date = _birth_date_field()
    phone = _phone_field()

    def clean_birth_date(self):
        return validate_birth_date_8(self.cleaned_data["birth_date"])
