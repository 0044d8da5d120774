"""A staff member's own account: accepting an invitation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from dyadcare.tenancy.addresses import client_address
from dyadcare.tenancy.staff import invitation_for
from dyadcare.tenancy.staff import invite_accept as invite_accept_service
from dyadcare.web.access import public_view

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _no_referrer(response: HttpResponse) -> HttpResponse:
    """A page reached by a secret link never passes its address on."""
    response["Referrer-Policy"] = "no-referrer"
    return response


@public_view
@never_cache
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person chooses their password; they are then logged in."""
    user = invitation_for(token)
    if user is None:
        return _no_referrer(render(request, "web/account/link_invalid.html", status=404))
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = invite_accept_service(
                token=token,
                password=form.cleaned_data["new_password1"],
                ip=client_address(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            auth_login(request, accepted, backend=BACKEND)
            messages.success(request, _("Your account is ready."))
            return redirect("web:home")
    return _no_referrer(render(request, "web/account/invite_accept.html", {"form": form, "invited": user}))
