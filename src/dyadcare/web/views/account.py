"""A staff member's own account: accepting an invitation, the account page, changing the
password and resetting it by email."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.addresses import client_address
from dyadcare.tenancy.mfa import mfa_status
from dyadcare.tenancy.models import User
from dyadcare.tenancy.passwords import password_change as password_change_service
from dyadcare.tenancy.passwords import password_reset as password_reset_service
from dyadcare.tenancy.passwords import password_reset_request, reset_for
from dyadcare.tenancy.staff import invitation_for
from dyadcare.tenancy.staff import invite_accept as invite_accept_service
from dyadcare.web.access import actor_for, public_view, staff_view
from dyadcare.web.account_forms import show_errors

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


@staff_view
def account(request: HttpRequest) -> HttpResponse:
    """The person's own account: password and two-step login."""
    user = cast(User, request.user)
    return render(request, "web/account/home.html", {"mfa": mfa_status(user)})


@staff_view
def password_change(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = actor_for(request, clinic=None, network=None, roles=())
        try:
            password_change_service(
                actor=actor,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            update_session_auth_hash(request, user)  # this session stays; the others end
            messages.success(request, _("Your password is changed."))
            return redirect("web:account")
    return render(request, "web/account/password_change.html", {"form": form})


class ResetRequestForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your work email"), max_length=254)


@public_view
@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same whether or not an account uses the address."""
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = Actor(
            label="(password reset)",
            ip=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            path=request.path,
        )
        base = settings.PUBLIC_URL or f"{request.scheme}://{request.get_host()}"
        template = base + reverse("web:password_reset_confirm", kwargs={"token": "TOKEN"})
        password_reset_request(actor=actor, email=form.cleaned_data["email"], link_template=template)
        return render(request, "web/account/reset_sent.html")
    return render(request, "web/account/reset_request.html", {"form": form})


@public_view
@never_cache
def password_reset_confirm(request: HttpRequest, token: str) -> HttpResponse:
    user = reset_for(token)
    if user is None:
        return _no_referrer(render(request, "web/account/link_invalid.html", status=404))
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_service(
                token=token,
                new_password=form.cleaned_data["new_password1"],
                ip=client_address(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your password is changed. Log in with it now."))
            return redirect("web:login")
    return _no_referrer(render(request, "web/account/reset_confirm.html", {"form": form}))
