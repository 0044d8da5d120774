"""Visits: the huddle of a clinic day, booking, checking in, closing, importing."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dyadcare.adherence import selectors as adherence_selectors
from dyadcare.families import selectors as family_selectors
from dyadcare.families.permissions import FamilyPerm
from dyadcare.touchpoints import selectors, services
from dyadcare.touchpoints.permissions import VisitPerm
from dyadcare.touchpoints.schedule import TOUCHPOINT_KEYS, touchpoints
from dyadcare.web.access import StaffRequest, clinic_view, redirect_back
from dyadcare.web.forms import (
    AppointmentImportForm,
    ScheduleRuleForm,
    VisitForm,
    day_in_range,
)


def _staff(request: HttpRequest) -> StaffRequest:
    return cast(StaffRequest, request)


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@clinic_view(FamilyPerm.VIEW, phi="read")
@require_GET
def huddle(request: HttpRequest) -> HttpResponse:
    """The clinic day at a glance: every visit, the child's age, what is due and overdue."""
    req = _staff(request)
    today = timezone.localdate()
    try:
        day = date.fromisoformat(req.GET["day"]) if req.GET.get("day") else today
    except ValueError:
        messages.error(req, _("That is not a date; showing today."))
        day = today
    if not day_in_range(day):
        messages.error(req, _("That day is outside the clinic's calendar; showing today."))
        day = today
    result = selectors.huddle_day(actor=req.actor, day=day)
    language = _language()
    labels = {
        key: result.bundle.label(key, language)
        for row in result.rows
        for key in (i.category for i in row.report.items)
    }
    return render(
        req,
        "web/huddle/day.html",
        {
            "huddle": result,
            "day": day,
            "today": today,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "labels": labels,
            "urls": {name: _around_id(f"web:{name}", req.clinic.slug) for name in _ROW_URLS},
        },
    )


_ROW_URLS = ("visit_detail", "child_detail", "visit_update")
_MARK = uuid.UUID(int=0)


def _around_id(name: str, slug: str) -> dict[str, str]:
    """A clinic URL with a record id, as the text before and after the id: a page of 60 rows
    joins them to each row's id instead of reversing the URL 180 times. A dict, not a tuple:
    the template's ``.before`` is one dict lookup, where a tuple's ``.0`` first fails as a
    key and an attribute (with a ``dir()``) before it is tried as an index."""
    before, after = reverse(name, args=[slug, _MARK]).split(str(_MARK))
    return {"before": before, "after": after}


@clinic_view(VisitPerm.MANAGE, phi="read")
@require_http_methods(["GET", "POST"])
def visit_schedule(request: HttpRequest, child_id: str) -> HttpResponse:
    req = _staff(request)
    child = family_selectors.child_get(actor=req.actor, child_id=child_id)
    form = VisitForm(
        req.POST or None, initial={"day": timezone.localdate() + timedelta(days=1), "at": "09:00"}
    )
    if req.method == "POST" and form.is_valid():
        when = timezone.make_aware(datetime.combine(form.cleaned_data["day"], form.cleaned_data["at"]))
        choice = form.cleaned_data["touchpoint"]
        try:
            visit = services.visit_schedule(
                actor=req.actor,
                child=child,
                scheduled_for=when,
                touchpoint=None if choice == "auto" else choice,
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            for field, problems in errors.items():
                form.add_error("day" if field == "scheduled_for" else None, problems)
        else:
            messages.success(
                req,
                _("Visit booked for %(when)s.")
                % {"when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M")},
            )
            return redirect("web:visit_detail", clinic_slug=req.clinic.slug, visit_id=visit.pk)
    status = 422 if req.method == "POST" else 200
    return render(req, "web/visits/schedule.html", {"child": child, "form": form}, status=status)


@clinic_view(FamilyPerm.VIEW, phi="read")
@require_GET
def visit_detail(request: HttpRequest, visit_id: str) -> HttpResponse:
    req = _staff(request)
    visit = selectors.visit_get(actor=req.actor, visit_id=visit_id)
    bundle = selectors.clinic_bundle(req.clinic)
    report = selectors.visit_due(visit=visit, bundle=bundle)
    language = _language()
    labels = {i.category: bundle.label(i.category, language) for i in report.items}
    for category in visit.ticked_without_evidence:
        labels.setdefault(category, bundle.label(category, language))
    return render(
        req,
        "web/visits/detail.html",
        {
            "visit": visit,
            "child": visit.child,
            "report": report,
            "labels": labels,
            "age": selectors.age_on(visit.child, timezone.localtime(visit.scheduled_for).date()),
            "changes": selectors.visit_changes(actor=req.actor, visit=visit),
            "reminders": adherence_selectors.visit_reminders(actor=req.actor, visit=visit)
            if req.actor.can(VisitPerm.MANAGE)
            else [],
        },
    )


@clinic_view(VisitPerm.MANAGE, phi="write")
@require_POST
def visit_update(request: HttpRequest, visit_id: str) -> HttpResponseBase:
    """Check in, close, mark missed or cancel a visit. Closing records no screening: what
    was done shows by its evidence (results, paper forms entered, screens done elsewhere)."""
    req = _staff(request)
    visit = selectors.visit_get(actor=req.actor, visit_id=visit_id)
    action = req.POST.get("action", "")
    try:
        if action == "arrive":
            services.visit_arrive(actor=req.actor, visit=visit)
            messages.success(req, _("%(name)s is checked in.") % {"name": visit.child.full_name})
        elif action == "complete":
            services.visit_complete(actor=req.actor, visit=visit)
            messages.success(req, _("The visit is closed."))
        elif action == "missed":
            services.visit_mark_missed(actor=req.actor, visit=visit)
            messages.success(req, _("The visit is marked missed; its screenings move to the next visit."))
        elif action == "cancel":
            services.visit_cancel(actor=req.actor, visit=visit)
            messages.success(req, _("The visit is cancelled."))
        else:
            messages.error(req, _("Unknown action."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(req, message)
    return redirect_back(req, redirect("web:visit_detail", clinic_slug=req.clinic.slug, visit_id=visit.pk))


@clinic_view(VisitPerm.MANAGE, phi="write")
@require_http_methods(["GET", "POST"])
def appointments_import(request: HttpRequest) -> HttpResponse:
    """Book a clinic day's appointments from a CSV file; bad rows are listed by line."""
    req = _staff(request)
    form = AppointmentImportForm(req.POST or None, req.FILES or None)
    if req.method == "POST" and form.is_valid():
        result = services.appointments_import(
            actor=req.actor, clinic=req.clinic, text=form.cleaned_data["file"]
        )
        # Post/redirect/get: the summary survives the redirect, a reload imports nothing twice.
        req.session["appointments_import"] = {
            "created": len(result.created),
            "days": sorted({timezone.localtime(v.scheduled_for).date().isoformat() for v in result.created}),
            "errors": [[e.line, e.reason] for e in result.errors],
        }
        return redirect("web:appointments_import", clinic_slug=req.clinic.slug)
    summary = req.session.pop("appointments_import", None) if req.method == "GET" else None
    status = 422 if req.method == "POST" else 200
    return render(
        req,
        "web/visits/import.html",
        {
            "form": form,
            "summary": summary,
            "days": [date.fromisoformat(d) for d in summary["days"]] if summary else [],
        },
        status=status,
    )


@clinic_view(VisitPerm.SCHEDULE_CONFIGURE, phi="none")
@require_http_methods(["GET", "POST"])
def schedule_settings(request: HttpRequest) -> HttpResponse:
    """The clinic's screening bundle: instruments for each category at each touchpoint."""
    req = _staff(request)
    form = ScheduleRuleForm(req.POST or None)
    if req.method == "POST" and req.POST.get("remove"):
        if services.schedule_rule_remove(actor=req.actor, rule_id=req.POST["remove"]):
            messages.success(req, _("The clinic's choice is removed; the service model's default applies."))
        else:
            messages.error(req, _("That choice no longer exists; reload the page."))
        return redirect("web:schedule_settings", clinic_slug=req.clinic.slug)
    if req.method == "POST" and form.is_valid():
        try:
            services.schedule_rule_set(
                actor=req.actor,
                clinic=req.clinic,
                category=form.cleaned_data["category"],
                touchpoint=form.cleaned_data["touchpoint"],
                instruments=form.instrument_list(),
                label=form.cleaned_data["label"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(req, _("Saved."))
            return redirect("web:schedule_settings", clinic_slug=req.clinic.slug)
    bundle = selectors.clinic_bundle(req.clinic)
    language = _language()
    grid = [
        (point, [(entry, bundle.label(entry.category, language)) for entry in bundle.due_at(point.key)])
        for point in touchpoints()
    ]
    rules = selectors.schedule_rules(actor=req.actor)
    status = 422 if req.method == "POST" else 200
    return render(
        req,
        "web/visits/settings.html",
        {"form": form, "grid": grid, "rules": rules, "keys": TOUCHPOINT_KEYS},
        status=status,
    )
