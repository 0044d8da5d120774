"""Visit adherence: moving or cancelling a visit with a reason, the outreach list of children
overdue for a touchpoint or who missed a visit with each attempt logged, a caregiver's
reminder choice and the clinic's reminder settings."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dyadcare.adherence import selectors, services
from dyadcare.adherence.permissions import AdherencePerm
from dyadcare.families import selectors as family_selectors
from dyadcare.touchpoints import selectors as visit_selectors
from dyadcare.touchpoints import services as visit_services
from dyadcare.touchpoints.permissions import VisitPerm
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.account_forms import show_errors
from dyadcare.web.adherence_forms import (
    AttemptForm,
    CancelForm,
    OutreachFilterForm,
    ReminderChoiceForm,
    ReminderSettingsForm,
    RescheduleForm,
)


def _staff(request: HttpRequest) -> StaffRequest:
    return cast(StaffRequest, request)


@clinic_view(VisitPerm.MANAGE, phi="write")
@require_http_methods(["GET", "POST"])
def visit_change(request: HttpRequest, visit_id: str) -> HttpResponseBase:
    """Reschedule or cancel a booked visit; either needs a reason, kept with the visit."""
    req = _staff(request)
    visit = visit_selectors.visit_get(actor=req.actor, visit_id=visit_id)
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
            visit_services.visit_reschedule(
                actor=req.actor,
                visit=visit,
                scheduled_for=reschedule.when(),
                reason=reschedule.cleaned_data["reason"],
            )
        except ValidationError as exc:
            show_errors(reschedule, exc, {"scheduled_for": "day"})
        else:
            messages.success(
                req,
                _("The visit is moved to %(when)s.")
                % {"when": timezone.localtime(reschedule.when()).strftime("%Y-%m-%d %H:%M")},
            )
            return redirect("web:visit_detail", clinic_slug=req.clinic.slug, visit_id=visit.pk)
    elif action == "cancel" and cancel.is_valid():
        try:
            visit_services.visit_cancel(actor=req.actor, visit=visit, reason=cancel.cleaned_data["reason"])
        except ValidationError as exc:
            show_errors(cancel, exc, {})
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
        "changes": visit_selectors.visit_changes(actor=req.actor, visit=visit),
    }
    return render(req, "web/visits/change.html", context, status=status)


# The outreach list -------------------------------------------------------------------------


@clinic_view(AdherencePerm.OUTREACH, phi="read")
@require_GET
def outreach(request: HttpRequest) -> HttpResponse:
    """Children overdue for a touchpoint or who missed a visit, with the last attempt."""
    req = _staff(request)
    form = OutreachFilterForm(req.GET or None)
    if req.GET and not form.is_valid():
        return render(req, "web/outreach/list.html", {"form": form, "result": None}, status=400)
    data = form.cleaned_data if req.GET else {}
    result = selectors.outreach_list(
        actor=req.actor,
        reason=data.get("reason") or "",
        contact=data.get("contact") or "",
        page=data.get("page") or 1,
    )
    query = {k: v for k, v in (("reason", data.get("reason")), ("contact", data.get("contact"))) if v}
    return render(req, "web/outreach/list.html", {"form": form, "result": result, "query": urlencode(query)})


@clinic_view(AdherencePerm.OUTREACH, phi="write")
@require_http_methods(["GET", "POST"])
def outreach_child(request: HttpRequest, child_id: str) -> HttpResponseBase:
    """One child's outreach: why they are on the list, every attempt, and logging one (a call
    that books the visit books it here)."""
    req = _staff(request)
    child = family_selectors.child_get(actor=req.actor, child_id=child_id)
    found = selectors.child_outreach(actor=req.actor, child=child)
    need = found.need
    form = AttemptForm(
        req.POST or None, initial={"reason": need.reason if need else "overdue", "kind": "call"}
    )
    if req.method == "POST" and form.is_valid():
        try:
            services.outreach_log(
                actor=req.actor,
                child=child,
                reason=form.cleaned_data["reason"],
                kind=form.cleaned_data["kind"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                missed_visit_id=need.missed_visit_id if need else None,
                touchpoint=need.touchpoint.key if need and need.touchpoint else "",
                book_at=form.booked_for(),
            )
        except ValidationError as exc:
            show_errors(form, exc, {"scheduled_for": "book_day"})
        else:
            messages.success(req, _("The attempt is logged."))
            return redirect("web:outreach_child", clinic_slug=req.clinic.slug, child_id=child.pk)
    status = 422 if req.method == "POST" else 200
    context = {
        "child": child,
        "need": need,
        "attempts": found.attempts,
        "form": form,
        "links": family_selectors.caregivers_of(actor=req.actor, child_id=child.pk),
    }
    return render(req, "web/outreach/child.html", context, status=status)


# Reminders: a caregiver's choice, the clinic's settings -------------------------------------


@clinic_view(AdherencePerm.OUTREACH, phi="write")
@require_http_methods(["GET", "POST"])
def reminder_choice(request: HttpRequest, caregiver_id: str) -> HttpResponseBase:
    """Record that a caregiver wants no visit reminders (or wants them again): who, when, how."""
    req = _staff(request)
    caregiver = family_selectors.caregiver_get(actor=req.actor, caregiver_id=caregiver_id)
    choices = selectors.reminder_choices(actor=req.actor, caregiver=caregiver)
    current = choices[0].opted_out if choices else False
    form = ReminderChoiceForm(req.POST or None, initial={"opted_out": "1" if current else "0"})
    if req.method == "POST" and form.is_valid():
        services.reminder_choice_set(
            actor=req.actor,
            caregiver=caregiver,
            opted_out=form.cleaned_data["opted_out"],
            how=form.cleaned_data["how"],
            note=form.cleaned_data["note"],
        )
        messages.success(req, _("The caregiver's choice about reminders is recorded."))
        return redirect("web:reminder_choice", clinic_slug=req.clinic.slug, caregiver_id=caregiver.pk)
    status = 422 if req.method == "POST" else 200
    context = {"caregiver": caregiver, "choices": choices, "opted_out": current, "form": form}
    return render(req, "web/outreach/reminder_choice.html", context, status=status)


@clinic_view(AdherencePerm.CONFIGURE, phi="none")
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest) -> HttpResponseBase:
    """The clinic's reminder days and quiet hours (the data file's defaults until set)."""
    req = _staff(request)
    view = selectors.reminder_settings(actor=req.actor)
    initial = {
        "days": ", ".join(str(d) for d in view.plan.days),
        "quiet_start": view.plan.quiet_start,
        "quiet_end": view.plan.quiet_end,
        "enabled": view.plan.enabled,
    }
    form = ReminderSettingsForm(req.POST or None, initial=initial)
    if req.method == "POST" and form.is_valid():
        try:
            services.reminder_settings_set(actor=req.actor, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc, {})
        else:
            messages.success(req, _("The reminder settings are saved."))
            return redirect("web:reminder_settings", clinic_slug=req.clinic.slug)
    status = 422 if req.method == "POST" else 200
    return render(req, "web/outreach/settings.html", {"form": form, "view": view}, status=status)
