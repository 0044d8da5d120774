"""Middleware of the staff interface: response headers, the request-size limit, and the
rules of a staff session.

A staff session ends after ``SESSION_IDLE_MINUTES`` without a request of the person's own,
and ``SESSION_MAX_HOURS`` after login however busy. A page's own polling (the alert banner
every 30 seconds) is not the person's activity: a view marked ``@polled`` neither renews nor
writes the session, so an open page cannot keep a session alive. The page warns before the
idle logoff (``web/static/web/app.js``) and "Stay signed in" posts to ``session_renew``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

V = TypeVar("V", bound=Callable[..., Any])

STARTED = "dyadcare.started"  # when the person logged in (a Unix time)
ACTIVE = "dyadcare.active"  # the last request of the person's own
HANDED_OVER = "tablet_handed_over"  # this browser was handed to a family (read by the login page)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages about people are never kept by shared caches or the back-forward cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class RequestSizeLimitMiddleware:
    """A request whose body is larger than ``MAX_REQUEST_BYTES`` is answered 413 before
    anything reads it (Django would otherwise spool a large upload to disk in full)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > settings.MAX_REQUEST_BYTES:
            # Before the session and the language are known: a page in both languages.
            megabytes = math.ceil(settings.MAX_REQUEST_BYTES / (1024 * 1024))
            page = render_to_string("web/errors/413.html", {"megabytes": megabytes})
            return HttpResponse(page, status=413)
        return self.get_response(request)


class UnusableCharactersMiddleware:
    """A query parameter or form field holding a NUL character is answered 400 with a page
    in both languages: no text field of any database can store it, and PostgreSQL refuses
    it even in a search, so no view ever sees it."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request.GET) or (
            request.method == "POST" and request.content_type in self.FORM_TYPES and _holds_nul(request.POST)
        ):
            page = render_to_string("web/errors/400_characters.html")
            return HttpResponse(page, status=400)
        return self.get_response(request)


def _holds_nul(data: Any) -> bool:
    return any("\x00" in key or any("\x00" in v for v in data.getlist(key)) for key in data)


def polled(view: V) -> V:
    """Mark a view that a page requests on its own (polling): it does not renew the
    session, and what it writes to the session is not kept."""
    view.session_poll = True  # type: ignore[attr-defined]
    return view


def _now() -> int:
    return int(timezone.now().timestamp())


def seconds_left(request: HttpRequest) -> dict[str, int]:
    """How long the staff session has: until the idle logoff, and until its end at the
    latest (what the page's warning counts down)."""
    session = request.session
    now = _now()
    idle = int(session.get(ACTIVE, now)) + settings.SESSION_COOKIE_AGE - now
    total = int(session.get(STARTED, now)) + settings.SESSION_MAX_SECONDS - now
    return {"idle": max(0, idle), "total": max(0, total), "warning": settings.SESSION_WARNING_SECONDS}


def renew(request: HttpRequest) -> None:
    """The person acted: the idle time counts from now (the session is saved, which renews
    its stored expiry, ``SESSION_COOKIE_AGE``)."""
    now = _now()
    request.session.setdefault(STARTED, now)
    request.session[ACTIVE] = now


@receiver(user_logged_in, dispatch_uid="dyadcare.web.session_started")
def _session_started(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """The session's clock starts at login (a login never inherits an older start)."""
    if request is not None and hasattr(request, "session"):
        request.session[STARTED] = request.session[ACTIVE] = _now()
        request.session.pop(HANDED_OVER, None)


def end_staff_session(request: HttpRequest, *, reason: str) -> None:
    """End the staff session in this browser at once (the tablet goes to a family): the
    logout is audited with ``reason``, and the login page then says the tablet was handed
    over until a staff member logs in again."""
    request.logout_reason = reason  # type: ignore[attr-defined]
    logout(request)
    request.session[HANDED_OVER] = True


class StaffSessionMiddleware:
    """Ends a staff session past its idle or absolute limit, renews it on the person's own
    requests only, and turns a login redirect for htmx into a page change (HX-Redirect)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = _now()
        if request.user.is_authenticated:
            self._end_if_over(request, now)
        response = self.get_response(request)
        if request.user.is_authenticated and not request.session.is_empty():
            self._renew_unless_polled(request)
        if request.headers.get("HX-Request") == "true":
            response = self._htmx_login(request, response)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        request.session_poll = bool(getattr(view, "session_poll", False))  # type: ignore[attr-defined]
        return None

    @staticmethod
    def _end_if_over(request: HttpRequest, now: int) -> None:
        session = request.session
        started = session.get(STARTED)
        active = session.get(ACTIVE)
        if started is not None and now - int(started) >= settings.SESSION_MAX_SECONDS:
            reason = f"session ended after {settings.SESSION_MAX_SECONDS // 3600} hours"
        elif active is not None and now - int(active) >= settings.SESSION_COOKIE_AGE:
            reason = f"session ended after {settings.SESSION_COOKIE_AGE // 60} idle minutes"
        else:
            return
        # The audit entry of the logout says why (tenancy/signals.py).
        request.logout_reason = reason  # type: ignore[attr-defined]
        logout(request)

    @staticmethod
    def _renew_unless_polled(request: HttpRequest) -> None:
        if getattr(request, "session_poll", False):
            request.session.modified = False  # nothing saved: the stored expiry stays put
            return
        renew(request)

    @staticmethod
    def _htmx_login(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """htmx follows a redirect inside the page, so a poll after the session ended would
        put the login form into the banner: the whole page goes to the login page instead."""
        login = reverse(settings.LOGIN_URL)
        if response.status_code != 302 or not response.get("Location", "").startswith(login):
            return response
        page = urlsplit(request.headers.get("HX-Current-URL", "")).path or "/"
        ended = HttpResponse(status=401)
        ended["HX-Redirect"] = f"{login}?{urlencode({'next': page})}"
        return ended
