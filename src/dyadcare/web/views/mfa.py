"""Two-step login: the code after the password, and setting it up (a QR code drawn here,
never by another site), with recovery codes shown once."""

from __future__ import annotations

import base64
from typing import Any, cast

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from dyadcare.tenancy import mfa
from dyadcare.tenancy.models import User
from dyadcare.web.access import actor_for, staff_view
from dyadcare.web.account_forms import show_errors


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password"), widget=forms.PasswordInput, strip=False)


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}) and wanted.startswith("/"):
        return wanted
    return "/"


@staff_view
@never_cache
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """After the password: the authenticator's code (or a recovery code)."""
    user = cast(User, request.user)
    if user.is_verified() or not mfa.enrolled(user):  # type: ignore[attr-defined]
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = actor_for(request, clinic=None, network=None, roles=())
        device = mfa.verify(actor=actor, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error(
            "code", _("That code is not right. Wait a few seconds, then type the newest code your app shows.")
        )
    return render(request, "web/account/mfa_verify.html", {"form": form, "next": _next(request)})


def _qr_svg(device: Any) -> str:
    """The authenticator link as an inline SVG QR code (drawn here: no outside service)."""
    qr = segno.make(device.config_url, error="m")
    return mark_safe(qr.svg_inline(scale=5, title=_("QR code to scan with your authenticator app")))  # noqa: S308


def _setup_context(user: User, device: Any, form: forms.Form) -> dict[str, Any]:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return {
        "form": form,
        "qr": _qr_svg(device),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "status": mfa.mfa_status(user),
        "remove_form": PasswordForm(),
    }


def _manage(request: HttpRequest, user: User) -> HttpResponse:
    """Set up already: new recovery codes, or remove two-step login."""
    actor = actor_for(request, clinic=None, network=None, roles=())
    remove_form = PasswordForm(request.POST if request.POST.get("action") == "remove" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "codes":
            codes = mfa.recovery_codes_renew(actor=actor)
            return render(request, "web/account/mfa_codes.html", {"codes": codes})
        if action == "remove" and remove_form.is_valid():
            try:
                mfa.mfa_remove(actor=actor, password=remove_form.cleaned_data["password"])
            except ValidationError as error:
                show_errors(remove_form, error)
            else:
                messages.success(request, _("Two-step login is removed."))
                return redirect("web:account")
    context = {"status": mfa.mfa_status(user), "remove_form": remove_form}
    return render(request, "web/account/mfa_manage.html", context)


@staff_view
@never_cache
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Set up two-step login: scan the code, type the first code the app shows."""
    user = cast(User, request.user)
    if mfa.exempt(user):
        return render(request, "web/account/mfa_demo.html")
    if mfa.enrolled(user):
        if not user.is_verified():  # type: ignore[attr-defined]
            # Replacing an authenticator takes the current one's code first.
            return redirect(f"{reverse('web:mfa_verify')}?{urlencode({'next': request.path})}")
        return _manage(request, user)
    actor = actor_for(request, clinic=None, network=None, roles=())
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.enrolment_confirm(actor=actor, code=form.cleaned_data["code"])
        except ValidationError as error:
            show_errors(form, error)
        else:
            device = mfa.enrolled_device(user)
            if device is not None:
                otp_login(request, device)
            return render(request, "web/account/mfa_codes.html", {"codes": codes, "next": _next(request)})
    device = mfa.pending_device(user) or mfa.enrolment_start(actor=actor)
    return render(request, "web/account/mfa_setup.html", _setup_context(user, device, form))
