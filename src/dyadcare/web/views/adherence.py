"""Visit adherence: moving or cancelling a visit with a reason, the outreach list of children
overdue for a touchpoint or who missed a visit with each attempt logged, a caregiver's
reminder choice and the clinic's reminder settings."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dyadcare.touchpoints import selectors, services
from dyadcare.touchpoints.permissions import VisitPerm
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.adherence_forms import CancelForm, RescheduleForm


def _staff(request: HttpRequest) -> StaffRequest:
    return cast(StaffRequest, request)


def _errors_to(form: Form, exc: ValidationError, fields: dict[str, str]) -> None:
    """A service's problems shown at the form's fields (``fields`` maps the model's names)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for name, problems in errors.items():
        target = fields.get(name, name if name in form.fields else None)
        form.add_error(target, problems)


@clinic_view(VisitPerm.MANAGE, phi="read")
@require_http_methods(["GET", "POST"])
def visit_change(request: HttpRequest, visit_id: str) -> HttpResponseBase:
    """Reschedule or cancel a booked visit; either needs a reason, kept with the visit."""
    req = _staff(request)
    visit = selectors.visit_get(actor=req.actor, visit_id=visit_id)
    action = req.POST.get("action", "") if req.method == "POST" else ""
    local = timezone.localtime(visit.scheduled_for)
    reschedule = RescheduleForm(
        req.POST if action == "reschedule" else None,
        initial={"day": local.date(), "at": local.strftime("%H:%M")},
        prefix="move",
    )
    cancel = CancelForm(req.POST if action == "cancel" else None, prefix="cancel")
    if action == "reschedule" and reschedule.is_valid():
        try:
            services.visit_reschedule(
                actor=req.actor,
                visit=visit,
                scheduled_for=reschedule.when(),
                reason=reschedule.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _errors_to(reschedule, exc, {"scheduled_for": "day"})
        else:
            messages.success(
                req,
                _("The visit is moved to %(when)s.")
                % {"when": timezone.localtime(reschedule.when()).strftime("%Y-%m-%d %H:%M")},
            )
            return redirect("web:visit_detail", clinic_slug=req.clinic.slug, visit_id=visit.pk)
    elif action == "cancel" and cancel.is_valid():
        try:
            services.visit_cancel(actor=req.actor, visit=visit, reason=cancel.cleaned_data["reason"])
        except ValidationError as exc:
            _errors_to(cancel, exc, {})
        else:
            messages.success(req, _("The visit is cancelled."))
            return redirect("web:visit_detail", clinic_slug=req.clinic.slug, visit_id=visit.pk)
    elif req.method == "POST" and action not in ("reschedule", "cancel"):
        messages.error(req, _("Unknown action."))
    status = 422 if req.method == "POST" else 200
    context = {
        "visit": visit,
        "child": visit.child,
        "reschedule_form": reschedule,
        "cancel_form": cancel,
        "changes": selectors.visit_changes(actor=req.actor, visit=visit),
    }
    return render(req, "web/visits/change.html", context, status=status)
