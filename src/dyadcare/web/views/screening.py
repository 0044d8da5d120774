"""Screening on the staff side: the visit's questionnaires, sending family links, the tablet,
results with their sensitivity rules, alerts and follow-ups. Paper forms, added instruments
and screens given elsewhere are in ``screening_entry.py``."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dyadcare.families import selectors as family_selectors
from dyadcare.families.permissions import FamilyPerm
from dyadcare.instruments import describe
from dyadcare.screening import history, selectors, services, worklist
from dyadcare.screening.models import ScreeningSession
from dyadcare.screening.permissions import ScreeningPerm
from dyadcare.screening.summary import family_summary as family_summary_get
from dyadcare.touchpoints import selectors as visit_selectors
from dyadcare.touchpoints.models import Visit
from dyadcare.web import alert_rows
from dyadcare.web.access import StaffRequest, clinic_view, redirect_back
from dyadcare.web.middleware import end_staff_session, polled
from dyadcare.web.screening_forms import AddInstrumentForm, DoneElsewhereForm, WorklistForm


def _staff(request: HttpRequest) -> StaffRequest:
    return cast(StaffRequest, request)


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _base_url(request: HttpRequest) -> str:
    from django.conf import settings

    return settings.PUBLIC_URL or f"{request.scheme}://{request.get_host()}"


def _errors(req: StaffRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(req, message)


def _back_to_visit(req: StaffRequest, visit_id: object) -> HttpResponse:
    return redirect("web:visit_screening", clinic_slug=req.clinic.slug, visit_id=visit_id)


def _rule(view: selectors.ResultView) -> str:
    """The positive rule the result was scored by (its own parameter values, not today's)."""
    if view.instrument is None:
        return ""
    if view.result.parameters is None and view.instrument.parameters:
        return _(
            "The settings this result was scored with were not recorded "
            "(it was scored before results kept them)."
        )
    return describe.positive_rule_text(view.instrument, scored_in=view.result.language)


@clinic_view(FamilyPerm.VIEW, phi="read")
@require_GET
def visit_screening(request: HttpRequest, visit_id: str) -> HttpResponse:
    """The visit's screening: what is due, sessions in progress, results and flags."""
    req = _staff(request)
    visit = visit_selectors.visit_get(actor=req.actor, visit_id=visit_id)
    return render_visit_screening(req, visit)


def render_visit_screening(
    req: StaffRequest,
    visit: Visit,
    *,
    add_form: AddInstrumentForm | None = None,
    elsewhere_form: DoneElsewhereForm | None = None,
) -> HttpResponse:
    """The visit's screening page; with a form that was refused, that form with its errors."""
    language = _language()
    screening = selectors.visit_screening(actor=req.actor, visit=visit, language=language)
    caregivers = family_selectors.caregivers_of(actor=req.actor, child_id=visit.child_id)
    answered = {
        s.pk: sum(1 for values in s.answers.values() for v in values if v is not None)
        for s in screening.sessions
    }
    total = {s.pk: sum(entry.get("items", 0) for entry in s.instruments) for s in screening.sessions}
    context: dict[str, Any] = {
        "visit": visit,
        "child": visit.child,
        "age": visit_selectors.age_on(visit.child, timezone.localtime(visit.scheduled_for).date()),
        "screening": screening,
        "caregivers": caregivers,
        "answered": answered,
        "total": total,
        "rules": {view.result.pk: _rule(view) for view in screening.results},
        "family_plan": [p for p in screening.plan if p.family_can_answer],
        "with_result": screening.with_result,
        "language": language,
    }
    if req.actor.can(ScreeningPerm.MANAGE):
        choices = selectors.evidence_choices(actor=req.actor, visit=visit, language=language)
        context["add_form"] = add_form or AddInstrumentForm(instruments=choices.instruments)
        context["elsewhere_form"] = elsewhere_form or DoneElsewhereForm(
            categories=choices.categories, instruments=choices.instruments
        )
    refused = add_form is not None or elsewhere_form is not None
    return render(req, "web/screening/visit.html", context, status=422 if refused else 200)


@clinic_view(ScreeningPerm.MANAGE, phi="write")
@require_POST
def screening_start(request: HttpRequest, visit_id: str) -> HttpResponse:
    """Open a session and send its link (text or email), or hand the tablet over."""
    req = _staff(request)
    visit = visit_selectors.visit_get(actor=req.actor, visit_id=visit_id)
    relationship = family_selectors.caregiver_of(
        actor=req.actor, child_id=visit.child_id, caregiver_id=req.POST.get("caregiver", "")
    )
    if relationship is None:
        messages.error(req, _("Choose the caregiver who will answer."))
        return _back_to_visit(req, visit.pk)
    action = req.POST.get("action", "")
    try:
        session, token = services.screening_start(
            actor=req.actor,
            visit=visit,
            caregiver=relationship.caregiver,
            instrument_ids=req.POST.getlist("instruments"),
            language=req.POST.get("language", "en"),
            mode=ScreeningSession.Mode.KIOSK if action == "kiosk" else ScreeningSession.Mode.LINK,
        )
    except ValidationError as exc:
        _errors(req, exc)
        return _back_to_visit(req, visit.pk)
    return _deliver(req, session, token, action)


def _hand_over(req: StaffRequest, session: ScreeningSession, token: str) -> HttpResponse:
    # The token is shown once, on the next page; a reload shows a button for a new one.
    req.session[f"tablet:{session.pk}"] = token
    return redirect("web:session_tablet", clinic_slug=req.clinic.slug, session_id=session.pk)


def _deliver(req: StaffRequest, session: ScreeningSession, token: str, action: str) -> HttpResponse:
    if action == "kiosk":
        return _hand_over(req, session, token)
    try:
        services.screening_send(actor=req.actor, session=session, channel=action, base_url=_base_url(req))
    except ValidationError as exc:
        _errors(req, exc)
    else:
        messages.success(
            req,
            _("The link was sent to %(name)s by %(channel)s.")
            % {"name": session.caregiver.full_name, "channel": _("text") if action == "sms" else _("email")},
        )
    return _back_to_visit(req, session.visit_id)


@clinic_view(ScreeningPerm.MANAGE, phi="write")
@require_POST
def session_update(request: HttpRequest, session_id: str) -> HttpResponse:
    """Resend a link, reopen on the tablet, close a session or score its saved answers."""
    req = _staff(request)
    session = selectors.session_get(actor=req.actor, session_id=session_id)
    action = req.POST.get("action", "")
    try:
        if action in ("sms", "email"):
            return _deliver(req, session, "", action)
        if action == "kiosk":
            token = services.screening_new_link(
                actor=req.actor, session=session, mode=ScreeningSession.Mode.KIOSK
            )
            return _hand_over(req, session, token)
        if action == "cancel":
            services.screening_cancel(actor=req.actor, session=session)
            messages.success(req, _("The questionnaire is closed; the answers given so far are kept."))
        elif action == "score":
            scored = services.screening_score_saved(actor=req.actor, session=session)
            messages.success(req, _("%(n)s saved questionnaire(s) scored.") % {"n": len(scored)})
        else:
            messages.error(req, _("Unknown action."))
    except ValidationError as exc:
        _errors(req, exc)
    return _back_to_visit(req, session.visit_id)


@clinic_view(ScreeningPerm.MANAGE, phi="read")
@require_GET
def session_tablet(request: HttpRequest, session_id: str) -> HttpResponse:
    """Hand the clinic tablet to the family: the link opens once from here."""
    req = _staff(request)
    session = selectors.session_get(actor=req.actor, session_id=session_id)
    token = req.session.pop(f"tablet:{session.pk}", None)
    if token:
        # Kept for the hand-over (never written into the page); a reload offers a new link.
        req.session[f"handover:{session.pk}"] = token
    return render(req, "web/screening/kiosk.html", {"session": session, "ready": bool(token)})


@clinic_view(ScreeningPerm.MANAGE, phi="write")
@require_POST
def session_hand_over(request: HttpRequest, session_id: str) -> HttpResponse:
    """Hand the tablet to the family: the staff session in this browser ends (audited), so
    Back, the history or a typed staff address lead to the login page, never a staff page;
    then the family's questionnaire opens."""
    req = _staff(request)
    session = selectors.session_get(actor=req.actor, session_id=session_id)
    if req.POST.get("action") != "hand-over":
        messages.error(req, _("Unknown action."))
        return redirect("web:session_tablet", clinic_slug=req.clinic.slug, session_id=session.pk)
    token = req.session.pop(f"handover:{session.pk}", None)
    services.tablet_hand_over(actor=req.actor, session=session)
    end_staff_session(req, reason="handed the tablet to a family")
    return redirect(f"/f/{token}/" if token else settings.LOGIN_URL)


@clinic_view(ScreeningPerm.ALERT_ACKNOWLEDGE, phi="write")
@require_POST
def flag_acknowledge(request: HttpRequest, flag_id: str) -> HttpResponseBase:
    req = _staff(request)
    flag = selectors.flag_get(actor=req.actor, flag_id=flag_id)
    try:
        services.flag_resolve(actor=req.actor, flag=flag, note=req.POST.get("note", ""))
    except ValidationError as exc:
        _errors(req, exc)
    else:
        messages.success(req, _("Acknowledged. Thank you."))
    return redirect_back(req, _back_to_visit(req, flag.visit_id))


@clinic_view(FamilyPerm.VIEW, phi="read")
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    """The alerts worklist: filters (open, mine, kind, dates, category, one child), most
    urgent and newest first, a page at a time, with an owner to assign."""
    req = _staff(request)
    language = _language()
    form = WorklistForm(
        req.GET or None, categories=worklist.category_choices(actor=req.actor, language=language)
    )
    if req.GET and not form.is_valid():
        context = {"form": form, "items": [], "page": None, "query": ""}
        return render(req, "web/screening/alerts.html", context, status=400)
    data = form.cleaned_data if req.GET else {}
    filters = worklist.Filters(
        status=data.get("status") or "open",
        mine=bool(data.get("mine")),
        kind=data.get("kind") or "",
        since=data.get("since"),
        until=data.get("until"),
        category=data.get("category") or "",
        child=data.get("child"),
    )
    all_follow_ups = req.GET.get("followups") == "all"
    found = worklist.alert_worklist(
        actor=req.actor,
        filters=filters,
        page=req.GET.get("page"),
        language=language,
        all_follow_ups=all_follow_ups,
    )
    query = req.GET.copy()
    query.pop("page", None)
    owners = worklist.owner_choices(actor=req.actor) if req.actor.can(ScreeningPerm.ALERT_ACKNOWLEDGE) else []
    context = {
        "form": form,
        "items": found.items,
        "rows": alert_rows.rows(found.items, clinic_slug=req.clinic.slug, owners=owners, nobody=_("nobody")),
        "follow_ups": found.follow_ups,
        "more_follow_ups": found.more_follow_ups,
        "all_follow_ups": all_follow_ups,
        "page": found.page,
        "query": query.urlencode(),
        "next_path": req.get_full_path(),
        "filtered": filters != worklist.Filters(),
    }
    return render(req, "web/screening/alerts.html", context)


@clinic_view(ScreeningPerm.ALERT_ACKNOWLEDGE, phi="write")
@require_POST
def flag_assign(request: HttpRequest, flag_id: str) -> HttpResponseBase:
    """Name who follows the flag up (a staff member of the clinic), or nobody."""
    req = _staff(request)
    flag = selectors.flag_get(actor=req.actor, flag_id=flag_id)
    try:
        services.flag_assign(actor=req.actor, flag=flag, owner_id=req.POST.get("owner", ""))
    except ValidationError as exc:
        _errors(req, exc)
    else:
        messages.success(req, _("Owner saved."))
    return redirect_back(req, redirect("web:alerts", clinic_slug=req.clinic.slug))


@clinic_view(FamilyPerm.VIEW, phi="none")
@require_GET
@polled
def alert_banner(request: HttpRequest) -> HttpResponse:
    """The clinic-wide banner (htmx polls it): counts only, no names."""
    req = _staff(request)
    summary = selectors.alert_summary(actor=req.actor)
    return render(req, "web/screening/_banner.html", {"summary": summary})


@clinic_view(FamilyPerm.VIEW, phi="read")
@require_GET
def family_summary(request: HttpRequest, visit_id: str) -> HttpResponse:
    """A printable summary for the family, in the family's language (``?lang=`` to print it
    in another): results about the child only, and the next visit booked after this one."""
    req = _staff(request)
    visit = visit_selectors.visit_get(actor=req.actor, visit_id=visit_id)
    summary = family_summary_get(actor=req.actor, visit=visit, language=request.GET.get("lang"))
    return render(req, "web/screening/family_summary.html", {"summary": summary, "child": summary.child})


@clinic_view(FamilyPerm.VIEW, phi="read")
@require_GET
def visit_report(request: HttpRequest, visit_id: str) -> HttpResponse:
    """The visit report for the clinic's chart (printable): results over time as this viewer
    may see them, flags and who acknowledged them, what is left to follow up. Audited as
    printed."""
    req = _staff(request)
    visit = visit_selectors.visit_get(actor=req.actor, visit_id=visit_id)
    report = history.visit_report(actor=req.actor, visit=visit, language=_language())
    return render(
        req,
        "web/screening/report.html",
        {
            "visit": visit,
            "child": visit.child,
            "report": report,
            "history": report.results,
            "now": timezone.now(),
        },
    )
