"""The staff session as the page's warning sees it: how long is left (a poll, which renews
nothing) and "Stay signed in" (which renews it, as any request of the person's own does).
The rules themselves are in ``web/middleware.py``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from dyadcare.web.access import staff_view
from dyadcare.web.middleware import polled, renew, seconds_left


@staff_view
@polled
@require_GET
def session_status(request: HttpRequest) -> HttpResponse:
    """Seconds left until the idle logoff and until the session's end (JSON)."""
    return JsonResponse(seconds_left(request))


@staff_view
@require_POST
def session_renew(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": this request is the person's own, so the session is renewed by the
    middleware; the script reads the new times, a page without the script goes back."""
    renew(request)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(seconds_left(request))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = "/"
    return redirect(back)
