"""Forms for clinics, staff accounts, passwords and two-step login. The rules are the
services' and the models' own; a service's ValidationError is shown at its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dyadcare.families.choices import LANGUAGE_CHOICES
from dyadcare.tenancy.models import Attestation, Clinic, Credential
from dyadcare.tenancy.roles import CLINIC_ROLES, Role
from dyadcare.web.forms import ClinicDateField

ROLE_CHOICES = [(r.value, r.label) for r in Role if r.value in CLINIC_ROLES]


def show_errors(form: forms.Form, error: ValidationError, renamed: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: at the field it names when the form has
    that field (``renamed`` maps a model field to the form's), else above the form."""
    renamed = renamed or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.message_dict.items():
        name = renamed.get(field, field)
        form.add_error(name if name in form.fields else None, problems)


class InviteeFields(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Work email"), help_text=_("The invitation link is sent here."))
    username = forms.CharField(
        label=_("Username"), max_length=150, help_text=_("What they will type to log in.")
    )


class ClinicCreateForm(forms.Form):
    name = forms.CharField(label=_("Clinic name"), max_length=200)
    service_model = forms.ChoiceField(label=_("Service model"), choices=Clinic.ServiceModel.choices)
    address = forms.CharField(
        label=_("Street address"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    city = forms.CharField(label=_("City"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages the clinic serves families in"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    billing_npi = forms.CharField(label=_("Organization NPI"), max_length=10, required=False)
    tax_id = forms.CharField(
        label=_("Tax ID (EIN)"), max_length=10, required=False, help_text=_("As 12-3456789.")
    )
    admin_first_name = forms.CharField(label=_("First name"), max_length=150)
    admin_last_name = forms.CharField(label=_("Last name"), max_length=150)
    admin_email = forms.EmailField(label=_("Work email"), help_text=_("The invitation link is sent here."))
    admin_username = forms.CharField(label=_("Username"), max_length=150)

    ADMIN_RENAMED = {
        "first_name": "admin_first_name",
        "last_name": "admin_last_name",
        "email": "admin_email",
        "username": "admin_username",
    }


class StaffInviteForm(InviteeFields):
    licence_type = forms.ChoiceField(
        label=_("Licence"), choices=Credential.LicenceType.choices, initial=Credential.LicenceType.NONE
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles in this clinic"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles in this clinic"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class CredentialForm(forms.ModelForm[Credential]):
    class Meta:
        model = Credential
        fields = ["licence_type", "licence_number", "npi", "aces_aware_attested_on"]
        field_classes = {"aces_aware_attested_on": ClinicDateField}
        help_texts = {"npi": _("10 digits; the last is a check digit.")}


class AttestationForm(forms.ModelForm[Attestation]):
    class Meta:
        model = Attestation
        fields = ["kind", "title", "attested_on", "expires_on"]
        field_classes = {"attested_on": ClinicDateField, "expires_on": ClinicDateField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "att")
        super().__init__(*args, **kwargs)

    def _post_clean(self) -> None:
        """Validated by the service (it knows whose attestation it is)."""
