"""The fixes that release held claim lines: a provider's billing details (licence, NPI, ACEs
Aware attestation) and a child's Medi-Cal coverage (CIN, enrolment, plan). Billing's services
re-evaluate the lines each fix touches, so the worklist shows them ready at once."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dyadcare.billing import engine, selectors, services
from dyadcare.billing.models import ClaimLine
from dyadcare.billing.permissions import BillingPerm
from dyadcare.families.models import Child
from dyadcare.tenancy.models import User
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.account_forms import show_errors
from dyadcare.web.billing_forms import CoverageForm, ProviderForm

HELD = ClaimLine.Status.HELD


def _staff(request: HttpRequest) -> StaffRequest:
    return cast(StaffRequest, request)


def _licences() -> list[tuple[str, str]]:
    language = (get_language() or "en")[:2]
    return [
        (key, labels.get(language) or labels["en"]) for key, labels in engine.ruleset().licence_labels.items()
    ]


def _held(req: StaffRequest, **filters: object) -> int:
    found = selectors.worklist(actor=req.actor, filters=selectors.Filters(status=HELD, **filters), per_page=1)  # type: ignore[arg-type]
    return found.total


def _after_fix(req: StaffRequest, before: int, after: int) -> HttpResponseBase:
    messages.success(
        req,
        _("Saved, and the lines checked again: %(freed)s no longer held, %(left)s still held.")
        % {"freed": max(before - after, 0), "left": after},
    )
    return redirect(reverse("web:billing_worklist", args=[req.clinic.slug]) + "?status=ready")


@clinic_view(BillingPerm.MANAGE, phi="write")
@require_http_methods(["GET", "POST"])
def provider_fix(request: HttpRequest, user_id: str) -> HttpResponseBase:
    """Record a provider's licence, NPI and ACEs Aware attestation for billing."""
    req = _staff(request)
    try:
        found = selectors.provider_of(actor=req.actor, user_id=user_id)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    initial = {
        "licence_type": found.licence,
        "npi": found.npi,
        "aces_aware_attested_on": found.aces_aware_attested_on,
    }
    form = ProviderForm(req.POST or None, initial=initial, licences=_licences())
    if req.method == "POST" and form.is_valid():
        before = _held(req, rendering_id=found.user.pk)
        try:
            values = {k: v for k, v in form.cleaned_data.items() if k != "licence_type" or v}
            services.provider_set(actor=req.actor, user_id=found.user.pk, **values)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return _after_fix(req, before, _held(req, rendering_id=found.user.pk))
    context = {"found": found, "form": form}
    return render(req, "web/billing/provider.html", context, status=422 if req.method == "POST" else 200)


@clinic_view(BillingPerm.MANAGE, phi="write")
@require_http_methods(["GET", "POST"])
def coverage_fix(request: HttpRequest, child_id: str) -> HttpResponseBase:
    """Record a child's Medi-Cal ID (CIN), enrolment and managed care plan."""
    req = _staff(request)
    try:
        coverage = selectors.coverage_of(actor=req.actor, child_id=child_id)
    except (Child.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    initial = {
        "medi_cal_id": coverage.medi_cal_id,
        "enrolled": coverage.enrolled,
        "plan": coverage.plan,
        "checked_on": coverage.checked_on,
    }
    form = CoverageForm(req.POST or None, initial=initial)
    held = _held(req, child_id=coverage.child_id)
    if req.method == "POST" and form.is_valid():
        try:
            services.coverage_set(actor=req.actor, child_id=coverage.child_id, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return _after_fix(req, held, _held(req, child_id=coverage.child_id))
    context = {"child": coverage.child, "held": held, "form": form}
    return render(req, "web/billing/coverage.html", context, status=422 if req.method == "POST" else 200)
