"""Forms of the billing pages: the worklist's filters, picking lines, voiding, exporting, and
the clinic's claim-file details."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dyadcare.web.forms import ClinicDateField

_ICD = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")

STATUS_CHOICES = [
    ("held", _("Held")),
    ("ready", _("Ready")),
    ("released", _("Released")),
    ("exported", _("Exported")),
    ("voided", _("Voided")),
    ("all", _("Any status")),
]


class WorklistFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    date_from = ClinicDateField(label=_("Served from"), required=False)
    date_until = ClinicDateField(label=_("Served until"), required=False)
    code = forms.CharField(label=_("Code"), max_length=10, required=False)
    provider = forms.ChoiceField(label=_("Rendering provider"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, providers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("Anyone")), *providers]  # type: ignore[attr-defined]

    def clean_code(self) -> str:
        return str(self.cleaned_data.get("code") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_until")
        if start and end and start > end:
            self.add_error("date_until", _("The end of the range is before its start."))
        return data


class PickForm(forms.Form):
    """Lines picked on the worklist (checkboxes named ``line``)."""

    line = forms.TypedMultipleChoiceField(label=_("Lines"), coerce=str, choices=[])

    def __init__(self, *args: Any, choices: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [(c, c) for c in choices]  # type: ignore[attr-defined]


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Why void this line"),
        max_length=300,
        help_text=_(
            "Kept with the line's history: not billable, entered twice, the service did not happen, …"
        ),
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("File"),
        choices=[("837p", _("X12 837P claim file")), ("csv", _("CSV for the practice-management system"))],
    )
    date_from = ClinicDateField(label=_("Served from"), required=False)
    date_until = ClinicDateField(label=_("Served until"), required=False)


class ExportSettingsForm(forms.Form):
    contact_name = forms.CharField(label=_("Billing contact"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("Billing contact phone"), max_length=20, required=False)
    payer_name = forms.CharField(label=_("Payer name"), max_length=60)
    payer_id = forms.CharField(
        label=_("Payer ID"),
        max_length=20,
        help_text=_(
            "610442 is how clearinghouses list Medi-Cal fee-for-service (unverified: confirm with yours)."
        ),
    )
    production = forms.BooleanField(label=_("Production files (not test files)"), required=False)
    fees = forms.CharField(
        label=_("Charge per code"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One code a line with the clinic's charge for one unit, as H2015 = 25.00 "
            "(what the clinic bills, not what Medi-Cal pays)."
        ),
    )

    def clean_fees(self) -> dict[str, str]:
        fees: dict[str, str] = {}
        for number, raw in enumerate(str(self.cleaned_data.get("fees") or "").splitlines(), start=1):
            if not raw.strip():
                continue
            code, _sep, amount = raw.partition("=")
            try:
                value = Decimal(amount.strip())
            except InvalidOperation:
                value = Decimal(-1)
            if not code.strip() or value < 0 or value > 100_000:
                raise forms.ValidationError(
                    _("Line %(n)s: write a code, an equals sign and an amount, as H2015 = 25.00.")
                    % {"n": number}
                )
            fees[code.strip().upper()[:10]] = f"{value.quantize(Decimal('0.01'))}"
        return fees


class ProviderForm(forms.Form):
    """A provider's billing details: licence, NPI, ACEs Aware attestation."""

    licence_type = forms.ChoiceField(label=_("Licence type"), required=False)
    npi = forms.CharField(
        label=_("NPI"), max_length=10, required=False, help_text=_("Ten digits, from NPPES.")
    )
    aces_aware_attested_on = ClinicDateField(
        label=_("ACEs Aware training attested on"),
        required=False,
        help_text=_("The date the provider completed the Core Training and self-attested with their NPI."),
    )

    def __init__(self, *args: Any, licences: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["licence_type"].choices = [("", _("Not recorded")), *licences]  # type: ignore[attr-defined]


class CoverageForm(forms.Form):
    medi_cal_id = forms.CharField(
        label=_("Medi-Cal ID (CIN)"),
        max_length=12,
        required=False,
        help_text=_("8 digits and a letter, as 91234567A."),
    )
    enrolled = forms.BooleanField(label=_("Enrolled in Medi-Cal"), required=False, initial=True)
    plan = forms.CharField(
        label=_("Managed care plan"),
        max_length=40,
        required=False,
        help_text=_("Empty for fee-for-service Medi-Cal."),
    )
    checked_on = ClinicDateField(label=_("Eligibility checked on"), required=False)


class BillingSettingsForm(forms.Form):
    """The clinic's billing choices (billing's ``BillingSettings``)."""

    clinic_type = forms.ChoiceField(label=_("Clinic type"), required=False)
    eight_minute_rule = forms.BooleanField(
        label=_("Round timed codes by the 8-minute rule"),
        required=False,
        help_text=_("Unverified for Medi-Cal: off bills whole 15-minute units only."),
    )
    minutes_for_first_unit = forms.IntegerField(
        label=_("Minutes for the first unit"), min_value=1, max_value=15
    )
    default_plan = forms.CharField(label=_("Usual managed care plan"), max_length=40, required=False)
    z_codes = forms.CharField(
        label=_("Diagnosis codes per claim code"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One claim code a line, then its ICD-10 codes, as G8431: Z13.31; * for every other code. "
            "Unverified: confirm the codes your payers accept."
        ),
    )
    taxonomy_code = forms.CharField(label=_("Billing taxonomy code"), max_length=10, required=False)
    submitter_id = forms.CharField(label=_("Submitter ID"), max_length=15, required=False)
    receiver_id = forms.CharField(label=_("Receiver ID"), max_length=15, required=False)

    def __init__(self, *args: Any, clinic_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinic_type"].choices = clinic_types  # type: ignore[attr-defined]

    def clean_z_codes(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for number, raw in enumerate(str(self.cleaned_data.get("z_codes") or "").splitlines(), start=1):
            if not raw.strip():
                continue
            code, sep, rest = raw.partition(":")
            codes = [c.strip().upper() for c in rest.replace(",", " ").split() if c.strip()]
            if not sep or not code.strip() or not codes or any(not _ICD.match(c) for c in codes):
                raise forms.ValidationError(
                    _("Line %(n)s: write a claim code, a colon and ICD-10 codes, as G8431: Z13.31.")
                    % {"n": number}
                )
            found[code.strip().upper()] = codes[:12]
        return found


class RuleOverrideForm(forms.Form):
    rule_id = forms.CharField(widget=forms.HiddenInput, max_length=60)
    enabled = forms.BooleanField(label=_("Applies"), required=False)
    plan = forms.CharField(label=_("Managed care plan (empty: every plan)"), max_length=40, required=False)
    reason = forms.CharField(label=_("Why"), max_length=300)
