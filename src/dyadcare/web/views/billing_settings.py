"""The clinic administrator's billing settings: the clinic's billing choices (clinic type, the
8-minute rule, diagnosis codes per claim code, the submitter and receiver IDs), the claim file's
details (contact, payer, test or production, charges), and overrides of inferred or unverified
rules. Each save re-evaluates the open lines (billing's services)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dyadcare.billing import selectors, services
from dyadcare.billing.export import settings as export_settings
from dyadcare.billing.models import BillingSettings
from dyadcare.billing.permissions import BillingPerm
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.account_forms import show_errors
from dyadcare.web.billing_forms import BillingSettingsForm, ExportSettingsForm, RuleOverrideForm


def _initial(req: StaffRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    row = selectors.billing_settings(actor=req.actor)
    claim = export_settings.export_settings_get(actor=req.actor)
    billing = {
        "clinic_type": row.clinic_type,
        "eight_minute_rule": row.eight_minute_rule,
        "minutes_for_first_unit": row.minutes_for_first_unit,
        "default_plan": row.default_plan,
        "z_codes": "\n".join(f"{code}: {' '.join(codes)}" for code, codes in sorted(row.z_codes.items())),
        "taxonomy_code": row.taxonomy_code,
        "submitter_id": row.submitter_id,
        "receiver_id": row.receiver_id,
    }
    file = {
        "contact_name": claim.contact_name,
        "contact_phone": claim.contact_phone,
        "payer_name": claim.payer_name,
        "payer_id": claim.payer_id,
        "production": claim.production,
        "fees": "\n".join(f"{code} = {amount}" for code, amount in sorted(claim.fees.items())),
    }
    return billing, file


def _save(req: StaffRequest, action: str, form: Any) -> bool:
    try:
        if action == "billing":
            services.settings_set(actor=req.actor, **form.cleaned_data)
        elif action == "file":
            export_settings.export_settings_set(actor=req.actor, **form.cleaned_data)
        else:
            services.rule_override_set(actor=req.actor, **form.cleaned_data)
    except ValidationError as exc:
        show_errors(form, exc)
        return False
    return True


@clinic_view(BillingPerm.CONFIGURE, phi="none")
@require_http_methods(["GET", "POST"])
def billing_settings(request: HttpRequest) -> HttpResponseBase:
    req = cast(StaffRequest, request)
    action = req.POST.get("action", "") if req.method == "POST" else ""
    billing_initial, file_initial = _initial(req)
    types = [(value, str(label)) for value, label in BillingSettings.ClinicType.choices]
    forms = {
        "billing": BillingSettingsForm(
            req.POST if action == "billing" else None,
            initial=billing_initial,
            clinic_types=types,
            prefix="billing",
        ),
        "file": ExportSettingsForm(
            req.POST if action == "file" else None, initial=file_initial, prefix="file"
        ),
        "rule": RuleOverrideForm(req.POST if action == "rule" else None, prefix="rule"),
    }
    if action in forms and forms[action].is_valid() and _save(req, action, forms[action]):
        messages.success(req, _("The billing settings are saved, and the open lines checked again."))
        return redirect("web:billing_settings", clinic_slug=req.clinic.slug)
    if req.method == "POST" and action not in forms:
        messages.error(req, _("Unknown action."))
    context = {
        **{f"{name}_form": form for name, form in forms.items()},
        "rules": selectors.overridable_rules(actor=req.actor),
        "gaps": export_settings.clinic_gaps(actor=req.actor),
    }
    return render(req, "web/billing/settings.html", context, status=422 if req.method == "POST" else 200)
