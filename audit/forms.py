"""What an auditor types on the access-record pages: the filters (GET: they name no person, a holder
appears as an id only) and the month of the review report. The search by code (POST: a code never
goes into a URL) and the reason for an export are the issuance-log pages' forms (staff/forms_review.py),
with the same dates accepted."""

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AccessAction, AccessPurpose
from audit.report import ReviewMonth
from audit.selectors import AccessRecordFilters
from pcc_portal.forms import PortalForm
from staff.forms_review import EARLIEST_DAY, LATEST_DAY, KoreanDateRangeForm, choice_filter_field


class AccessRecordFilterForm(KoreanDateRangeForm):
    """The list's filters; every one optional."""

    actor = forms.CharField(
        label=_("Staff username"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": _("A username has at most 150 characters.")},
    )
    action = choice_filter_field(_("Action"), AccessAction.choices, _("All actions"))
    purpose = choice_filter_field(_("Purpose"), AccessPurpose.choices, _("All purposes"))
    # Typed, not chosen from the types in the log: listing those would read the whole table each time.
    record_type = forms.RegexField(
        label=_("Record type"),
        required=False,
        regex=r"^[a-z_]{1,30}$",
        max_length=30,
        help_text=_("For example holder, code, issuance_log or access_records."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"invalid": _("A record type is lower-case letters and underscores, such as holder.")},
    )
    holder = forms.UUIDField(
        label=_("Person (holder id)"),
        required=False,
        help_text=_("Filled in by the search by code below, or by a link from a code's history."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"invalid": _("A holder id is a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e.")},
    )

    FIELDS = ("date_from", "date_to", "actor", "action", "purpose", "record_type", "holder")

    def clean_actor(self):
        return self.cleaned_data["actor"].strip()

    def filters(self) -> AccessRecordFilters:
        if not self.is_bound:
            return AccessRecordFilters()
        return AccessRecordFilters(**{name: self.cleaned_data[name] for name in self.FIELDS})

    def carried(self) -> list[tuple[str, str]]:
        """The valid filters as (name, value) pairs, for the export form and the page links."""
        if not self.is_bound:
            return []
        return [(name, str(self.data[name])) for name in self.FIELDS if self.cleaned_data.get(name)]

    def summary(self) -> list[tuple[str, str]]:
        """The chosen filters in words, (label, value), for the export page."""
        shown = []
        for name, raw in self.carried():
            field = self.fields[name]
            text = str(dict(field.choices).get(raw, raw)) if isinstance(field, forms.ChoiceField) else raw
            shown.append((str(field.label), text))
        return shown


class ReviewMonthForm(PortalForm):
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
        help_text=_("Year and month, for example 2026-03."),
        error_messages={
            "required": _("Choose a month."),
            "max_length": _("Enter a month as year-month, for example 2026-03."),
        },
    )

    def clean_month(self) -> ReviewMonth:
        try:
            month = ReviewMonth.parse(self.cleaned_data["month"])
        except ValueError:
            raise forms.ValidationError(_("Enter a month as year-month, for example 2026-03."), code="month") from None
        if not EARLIEST_DAY <= month.first_day <= LATEST_DAY:
            raise forms.ValidationError(_("Enter a month between 2000-01 and 2099-12."), code="month_range")
        return month
