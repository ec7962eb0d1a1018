"""What a reviewer types on the issuance-log pages: the log's filters (GET: they name no person), the
search by code (POST: a code never goes into a URL) and the reason for an export."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from issuance.codes import normalise_code, validate_code
from issuance.models import Channel, CodeStatus, EventKind, VerificationMethod
from pcc_portal.forms import PortalForm
from staff.review import EXPORT_REASON_MAX, EXPORT_REASON_MIN, EventFilters

# Korean dates are written year first: 2026-03-01 (what <input type="date"> sends), 2026.03.01, 20260301.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y.%m.%d", "%Y. %m. %d", "%Y. %m. %d.", "%Y%m%d"]
# Before this product's first code and far enough ahead; also keeps "the day after" computable.
EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2099, 12, 31)

_DATE_INVALID = _("Enter a date as year-month-day, for example 2026-03-01.")


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": _DATE_INVALID},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def choice_filter_field(label, choices, everything) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", everything), *choices],
        error_messages={"invalid_choice": _("Choose one of the options in the list.")},
    )


class KoreanDateRangeForm(PortalForm):
    """The date filters of every review page (the issuance log, the access records): both optional,
    Korean days, both ends included, the end not before the start."""

    date_from = _date_field(_("From (Korean date)"))
    date_to = _date_field(_("To (Korean date)"))

    def _clean_day(self, name):
        day = self.cleaned_data.get(name)
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise forms.ValidationError(_("Enter a date between 2000-01-01 and 2099-12-31."), code="date_range")
        return day

    def clean_date_from(self):
        return self._clean_day("date_from")

    def clean_date_to(self):
        return self._clean_day("date_to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must be the same as or later than the start date."))
        return cleaned


class EventFilterForm(KoreanDateRangeForm):
    """The log's filters; every one optional."""

    channel = choice_filter_field(_("Channel"), Channel.choices, _("All channels"))
    office = forms.ModelChoiceField(
        label=_("Customs office"),
        required=False,
        queryset=None,
        to_field_name="code",
        empty_label=_("All offices"),
        error_messages={"invalid_choice": _("Choose one of the options in the list.")},
    )
    method = choice_filter_field(_("Verification method"), VerificationMethod.choices, _("All methods"))
    kind = choice_filter_field(_("Event"), EventKind.choices, _("All events"))
    status = choice_filter_field(_("Current status of the code"), CodeStatus.choices, _("All statuses"))

    FIELDS = ("date_from", "date_to", "channel", "office", "method", "kind", "status")

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the offices the reviewer may see: a supervisor's list holds their own office.
        self.fields["office"].queryset = offices
        self.fields["office"].label_from_instance = lambda office: f"{office.name_ko} / {office.name_en}"

    def filters(self) -> EventFilters:
        if not self.is_bound:
            return EventFilters()
        data = self.cleaned_data
        return EventFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            channel=data["channel"],
            office=data["office"],
            method=data["method"],
            kind=data["kind"],
            status=data["status"],
        )

    def summary(self) -> list[tuple[str, str]]:
        """The chosen filters in words, (label, value), for the export page."""
        if not self.is_bound:
            return []
        shown = []
        for name in self.FIELDS:
            value = self.cleaned_data.get(name)
            if not value:
                continue
            field = self.fields[name]
            if isinstance(value, datetime.date):
                text = value.isoformat()
            elif name == "office":
                text = field.label_from_instance(value)
            else:
                text = str(dict(field.choices).get(value, value))
            shown.append((str(field.label), text))
        return shown

    def carried(self) -> list[tuple[str, str]]:
        """The filters as (name, value) pairs, to carry into the export form and the page links."""
        if not self.is_bound:
            return []
        return [(name, self.data[name]) for name in self.FIELDS if self.cleaned_data.get(name) and self.data.get(name)]


class CodeSearchForm(PortalForm):
    code = forms.CharField(
        label=_("Personal customs code"),
        max_length=40,
        validators=[validate_code],
        help_text=_("The letter P and 12 digits. The code is sent by POST, so it never appears in a web address."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter the personal customs code to search for.")},
    )

    def clean_code(self):
        return normalise_code(self.cleaned_data["code"])


class ExportReasonForm(PortalForm):
    reason = forms.CharField(
        label=_("Reason for the export"),
        min_length=EXPORT_REASON_MIN,
        max_length=EXPORT_REASON_MAX,
        help_text=_("10 to 200 characters. It is kept in the access records with your name and the filters."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Give the reason for this export."),
            "min_length": _("Write the reason in at least 10 characters."),
            "max_length": _("Write the reason in at most 200 characters."),
        },
    )
