"""The fixes that release held claim lines: a provider's billing details (licence, NPI, ACEs
Aware attestation) and a child's Medi-Cal coverage (CIN, enrolment, plan). Each save
re-evaluates the lines it touches, so the worklist shows them ready at once."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dyadcare.billing import worklist as selectors
from dyadcare.billing.permissions import BillingPerm
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.account_forms import show_errors
from dyadcare.web.billing_forms import CoverageForm, ProviderForm


def _staff(request: HttpRequest) -> StaffRequest:
    return cast(StaffRequest, request)


def _after_fix(req: StaffRequest, held_before: int, held_after: int) -> HttpResponseBase:
    freed = max(held_before - held_after, 0)
    messages.success(
        req,
        _("Saved. %(freed)s held lines are ready now; %(left)s still held.") % {"freed": freed, "left": held_after},
    )
    return redirect("web:billing_worklist", clinic_slug=req.clinic.slug)


@clinic_view(BillingPerm.MANAGE, phi="write")
@require_http_methods(["GET", "POST"])
def provider_fix(request: HttpRequest, user_id: str) -> HttpResponseBase:
    """Record a provider's licence, NPI and ACEs Aware attestation for billing."""
    req = _staff(request)
    found = selectors.provider_get(actor=req.actor, user_id=user_id)
    form = ProviderForm(req.POST or None, initial=found.initial, licences=selectors.licence_choices())
    if req.method == "POST" and form.is_valid():
        try:
            from dyadcare.billing import services  # TEMP until merged

            services.provider_set(actor=req.actor, user_id=found.user.pk, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            after = selectors.provider_get(actor=req.actor, user_id=user_id)
            return _after_fix(req, found.held, after.held)
    context = {"found": found, "form": form}
    return render(req, "web/billing/provider.html", context, status=422 if req.method == "POST" else 200)


@clinic_view(BillingPerm.MANAGE, phi="write")
@require_http_methods(["GET", "POST"])
def coverage_fix(request: HttpRequest, child_id: str) -> HttpResponseBase:
    """Record a child's Medi-Cal ID (CIN), enrolment and managed care plan."""
    req = _staff(request)
    found = selectors.coverage_get(actor=req.actor, child_id=child_id)
    form = CoverageForm(req.POST or None, initial=found.initial)
    if req.method == "POST" and form.is_valid():
        try:
            from dyadcare.billing import services  # TEMP until merged

            services.coverage_set(actor=req.actor, child_id=found.child.pk, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            after = selectors.coverage_get(actor=req.actor, child_id=child_id)
            return _after_fix(req, found.held, after.held)
    context = {"found": found, "form": form}
    return render(req, "web/billing/coverage.html", context, status=422 if req.method == "POST" else 200)
