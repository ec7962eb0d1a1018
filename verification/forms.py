from django import forms
from django.utils.translation import gettext_lazy as _

from pcc_portal.forms import PortalForm
from personal_data.identity import NAME_MAX_LENGTH, validate_holder_name, validate_resident_number


def holder_name_field(help_text) -> forms.CharField:
    """The person's name as every verification step asks it; the help text says whose record it must match."""
    return forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        validators=[validate_holder_name],
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "characters"}),
    )


class RealNameForm(PortalForm):
    name = holder_name_field(
        _("As on your alien registration card (in capital letters) or resident registration card.")
    )
    resident_number = forms.CharField(
        label=_("Resident or alien registration number"),
        max_length=20,
        validators=[validate_resident_number],
        help_text=_("13 digits, for example 900101-5234567."),
        widget=forms.PasswordInput(
            render_value=True, attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class CertificateSignatureForm(forms.Form):
    """What the certificate page's script posts (static/js/certificate-sign.js): the certificate, the
    signature over the challenge and R. Nothing here is typed by a person; the password stays in the
    browser."""

    challenge_id = forms.UUIDField(widget=forms.HiddenInput)
    certificate = forms.CharField(max_length=8000, strip=False, widget=forms.HiddenInput)
    signature = forms.CharField(max_length=200, widget=forms.HiddenInput)
    r = forms.CharField(max_length=200, widget=forms.HiddenInput)
