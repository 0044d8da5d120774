"""The family's link as the pages see it: the decorator that opens it (once per request, with
the clinic scope), the signed cookie of a confirmed date of birth, and the pages for a link
that cannot be used (unknown, expired, sent, closed, locked, throttled).

Families have no account: the link's token finds the session, and the child's date of birth,
confirmed once, sets a signed cookie (HttpOnly, SameSite=Strict, sent only to this link's
pages) that lets the questions show. The public-link machinery (``dyadcare.publiclinks``)
sends every page with ``no-store`` and ``no-referrer`` and refuses posts from other sites.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation

from dyadcare.publiclinks import throttle
from dyadcare.publiclinks.http import LinkCookie, client_ip, link_page, quiet_path
from dyadcare.screening import family
from dyadcare.screening.family import FamilyLink, LinkProblem
from dyadcare.screening.models import ScreeningSession
from dyadcare.tenancy.entry import Access, acting_in, mark

COOKIE = LinkCookie(name="dyadcare_family", purpose="family")
# How long a confirmed date of birth lets the questions show without asking again.
VERIFIED_HOURS: dict[str, int] = {ScreeningSession.Mode.LINK: 24, ScreeningSession.Mode.KIOSK: 2}
FETCH_HEADER = "X-Family-Fetch"

FamilyView = Callable[..., HttpResponse]


def start_url(token: str) -> str:
    return reverse("family:start", kwargs={"token": token})


def step_url(token: str, step: family.Step) -> str:
    if step.kind == "intro":
        return reverse("family:intro", kwargs={"token": token, "instrument_id": step.instrument_id})
    if step.kind == "question":
        kwargs = {"token": token, "instrument_id": step.instrument_id, "number": step.number}
        return reverse("family:question", kwargs=kwargs)
    return reverse("family:review", kwargs={"token": token})


def wants_json(request: HttpRequest) -> bool:
    return request.headers.get(FETCH_HEADER) == "1"


def render_in(
    request: HttpRequest, template: str, context: Mapping[str, Any], *, language: str, status: int = 200
) -> HttpResponse:
    """A family page in the family's language (never the browser's or a staff member's)."""
    with translation.override(language):
        response = render(request, template, {**context, "family_language": language}, status=status)
    response["Content-Language"] = language
    return response


def go(request: HttpRequest, url: str, *, status: int = 200) -> HttpResponse:
    """After a post: a 303 to the next page, or for family.js the address to go to."""
    if wants_json(request):
        return JsonResponse({"next": url}, status=status)
    return HttpResponseRedirect(url, status=303)


class SeeOther(HttpResponseRedirect):
    status_code = 303


# The confirmed date of birth ------------------------------------------------------------------


def verified_id(request: HttpRequest, token: str, hours: int) -> str | None:
    """The session this browser confirmed with this link, from the signed cookie."""
    return COOKIE.read(request, token, max_age=timedelta(hours=hours))


def is_verified(request: HttpRequest, session: ScreeningSession, token: str) -> bool:
    return verified_id(request, token, VERIFIED_HOURS.get(session.mode, 2)) == str(session.pk)


def remember(response: HttpResponse, session: ScreeningSession, token: str) -> None:
    max_age: int | None = None
    if session.mode != ScreeningSession.Mode.KIOSK:  # on a shared tablet: gone with the browser
        left = (session.token_expires_at - timezone.now()).total_seconds() if session.token_expires_at else 0
        max_age = max(60, min(int(left), VERIFIED_HOURS[ScreeningSession.Mode.LINK] * 3600))
    COOKIE.set(
        response,
        token,
        str(session.pk),
        path=start_url(token),
        max_age=max_age,
        secure=settings.SESSION_COOKIE_SECURE,
    )


def forget(response: HttpResponse, token: str) -> None:
    COOKIE.forget(response, path=start_url(token))


# Opening the link -------------------------------------------------------------------------------


def _refused(request: HttpRequest) -> HttpResponse:
    return render_in(request, "family_pages/unknown.html", {"refused": True}, language="en", status=403)


def family_page(view: FamilyView) -> FamilyView:
    """Any page under a family link: the link machinery's headers, posts from other sites
    refused, and the access rule the URL test reads."""
    page: FamilyView = link_page(_refused)(view)  # type: ignore[assignment]
    return mark(page, Access(scope="link"))


def _open(request: HttpRequest, token: str) -> FamilyLink:
    """The link's session, or LinkProblem. A browser that confirmed the date of birth with a
    link the clinic has since closed still learns that it was closed (answers are kept)."""
    where = {
        "ip": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
        "path": quiet_path(request, token),
    }
    try:
        return family.open_link(token, **where)
    except LinkProblem as problem:
        known = (
            verified_id(request, token, max(VERIFIED_HOURS.values())) if problem.kind == "unknown" else None
        )
        closed = family.open_closed_link(known) if known else None
        if closed is not None:
            raise LinkProblem("cancelled", closed) from None
        raise


ProblemPage = Callable[[HttpRequest, str, LinkProblem], HttpResponse]


def family_link(
    *, verified: bool = True, late: bool = False, on_problem: ProblemPage | None = None
) -> Callable[[FamilyView], FamilyView]:
    """A page of an open link: the view receives the ``FamilyLink`` and runs in the session's
    clinic scope, opened here once. ``verified``: the page needs the confirmed date of birth
    (else the family is sent to the date check). ``late``: a post here is an answer, which
    arrives late when the session was sent or closed meanwhile. ``on_problem``: the page for a
    link that cannot be used, when not the usual one."""

    def decorate(view: FamilyView) -> FamilyView:
        @wraps(view)
        def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                link = _open(request, token)
            except LinkProblem as problem:
                if on_problem is not None:
                    return on_problem(request, token, problem)
                return problem_page(request, token, problem, late=late)
            if verified and not is_verified(request, link.session, token):
                return go(request, start_url(token), status=401)
            with acting_in(link.actor):
                return view(request, link, token, *args, **kwargs)

        return family_page(wrapper)

    return decorate


# A link that cannot be used -----------------------------------------------------------------


def _display_language(request: HttpRequest, session: ScreeningSession) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in family.LANGUAGES else session.language


def _unknown_page(request: HttpRequest, problem: LinkProblem) -> HttpResponse:
    """Unknown or throttled: nothing is known of the family, not even its language."""
    throttled = problem.kind == "throttled"
    status = 429 if throttled else 404
    if wants_json(request):
        return JsonResponse({"next": request.path}, status=status)
    context = {"throttled": throttled}
    response = render_in(request, "family_pages/unknown.html", context, language="en", status=status)
    if throttled:
        response["Retry-After"] = str(throttle.WINDOW_MINUTES * 60)
    return response


def problem_page(
    request: HttpRequest, token: str, problem: LinkProblem, *, late: bool = False
) -> HttpResponse:
    """The page for a link that cannot be used, with its status code. After a post the family
    is sent to the link's page that explains; ``late``: the post was an answer that could not
    be saved (it arrived after the session was sent or closed)."""
    session = problem.session
    if session is None:
        return _unknown_page(request, problem)
    if request.method == "POST":
        flag = "?late=1" if late else ""
        if problem.kind == "submitted":
            return go(request, reverse("family:done", kwargs={"token": token}) + flag)
        return go(request, start_url(token) + flag, status=409)
    language = _display_language(request, session)
    late = request.GET.get("late") == "1"
    if problem.kind == "submitted":
        return thanks_page(request, token, session, language=language, late=late)
    context: dict[str, Any] = {
        "kind": problem.kind,
        "late": late,
        "clinic": session.clinic,
        "token": token,
        "language_next": request.path,
        "switch_to": "en" if language == "es" else "es",
    }
    if problem.kind == "locked" and session.locked_until:
        retry_after = max(1, math.ceil((session.locked_until - timezone.now()).total_seconds()))
        context.update(
            until=timezone.localtime(session.locked_until), minutes=max(1, math.ceil(retry_after / 60))
        )
        response = render_in(request, "family_pages/problem.html", context, language=language, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    return render_in(request, "family_pages/problem.html", context, language=language, status=410)


def thanks_page(
    request: HttpRequest, token: str, session: ScreeningSession, *, language: str, late: bool = False
) -> HttpResponse:
    """The thank-you page. On the clinic tablet it says nothing about the family and the same
    help is shown to everyone; on the family's own phone crisis lines follow a safety answer."""
    kiosk = session.mode == ScreeningSession.Mode.KIOSK
    verified = is_verified(request, session, token)
    show_crisis = kiosk
    if verified and not kiosk:
        link = family.link_to(session, ip=client_ip(request))
        with acting_in(link.actor):
            show_crisis = link.crisis_due()
    context = {
        "clinic": session.clinic,
        "kiosk": kiosk,
        "verified": verified,
        "late": late,
        "crisis": family.crisis_resources(language) if show_crisis else [],
        "token": token,
        "language_next": reverse("family:done", kwargs={"token": token}),
        "switch_to": "en" if language == "es" else "es",
    }
    response = render_in(request, "family_pages/done.html", context, language=language)
    if kiosk:
        forget(response, token)
    return response
