"""What a receiving organisation sees after opening the link a clinic emailed: that ONE referral
(only what the caregiver agreed to share) and a form to say what happened: accept, decline
(with a reason), in progress, on hold, completed or could not be completed (with an outcome),
with a note. No account; the link's token is the only key.

The public-link machinery (``dyadcare.publiclinks``) sends every page with ``no-store`` and
``no-referrer``, and refuses posts from other sites; links that match nothing are counted per
address and an address that keeps guessing gets 429. An expired or closed link answers 410.
Reads and writes go through ``referrals.partner``, which audits with the organisation's actor.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from dyadcare.publiclinks import throttle
from dyadcare.publiclinks.http import client_ip, link_page, quiet_path
from dyadcare.referrals import partner, workflow
from dyadcare.tenancy.entry import Access, acting_in, mark

LANGUAGES = ("en", "es")


def _language(request: HttpRequest) -> str:
    """The language asked for on the page (its switch), else the browser's, else English."""
    asked = request.GET.get("lang", "") or request.POST.get("lang", "")
    if asked in LANGUAGES:
        return asked
    browser = translation.get_language_from_request(request).split("-")[0]
    return browser if browser in LANGUAGES else "en"


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    language = _language(request)
    with translation.override(language):
        response = render(request, template, {**context, "page_language": language}, status=status)
    response["Content-Language"] = language
    return response


def _refused(request: HttpRequest) -> HttpResponse:
    return _render(request, "partner_pages/problem.html", {"kind": "refused"}, status=403)


def _page(view: Any) -> Any:
    return mark(link_page(_refused)(view), Access(scope="link"))


def _problem(request: HttpRequest, problem: partner.LinkProblem) -> HttpResponse:
    status = {"unknown": 404, "throttled": 429}.get(problem.kind, 410)
    response = _render(request, "partner_pages/problem.html", {"kind": problem.kind}, status=status)
    if problem.kind == "throttled":
        response["Retry-After"] = str(throttle.WINDOW_MINUTES * 60)
    return response


def _choices(link: partner.PartnerLink, language: str) -> list[dict[str, Any]]:
    flow = workflow.workflow()
    return [
        {
            "code": code,
            "label": workflow.label(flow.statuses[code].label, language),
            "outcomes": [(o.code, workflow.label(o.label, language)) for o in workflow.outcomes_for(code)],
            "reason": code in flow.reason_required,
        }
        for code in link.moves()
    ]


@_page
def referral_page(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        link = partner.open_link(
            token,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            path=quiet_path(request, token),
        )
    except partner.LinkProblem as problem:
        return _problem(request, problem)
    language = _language(request)
    with acting_in(link.actor):
        error, status = "", 200
        if request.method == "POST":
            try:
                partner.update(
                    link,
                    status=request.POST.get("status", ""),
                    outcome=request.POST.get("outcome", ""),
                    note=request.POST.get("note", "").strip()[:1000],
                )
            except workflow.TransitionRefused:
                with translation.override(language):
                    error = _(
                        "That change is not possible now, or it needs a reason. "
                        "Check the form and send it again."
                    )
                status = 422
            else:
                url = reverse("partner:referral", kwargs={"token": token}) + f"?lang={language}&saved=1"
                return HttpResponseRedirect(url, status=303)
        partner.read(link)
        referral = link.referral
        context = {
            "referral": referral,
            "packet": link.packet(language),
            "status": workflow.label(workflow.workflow().statuses[referral.status].label, language),
            "final": workflow.is_final(referral.status),
            "choices": _choices(link, language),
            "error": error,
            "saved": request.GET.get("saved") == "1",
            "switch_to": "es" if language == "en" else "en",
        }
        return _render(request, "partner_pages/referral.html", context, status=status)


@_page
def elsewhere(request: HttpRequest, token: str, rest: str) -> HttpResponseBase:
    """Any other address under a link: nothing there (the link reaches its one page)."""
    return _render(request, "partner_pages/problem.html", {"kind": "unknown"}, status=404)
