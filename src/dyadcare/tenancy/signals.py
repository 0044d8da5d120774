"""Audit entries for logins, logouts, failed logins and lockouts (connected when tenancy starts).
Each reaches the clinics of the account it names (``audit_record``'s security events)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.addresses import client_address
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.models import User


def _request_actor(request: HttpRequest | None, user: User | None, label: str) -> Actor:
    meta = request.META if request is not None else {}
    return Actor(
        label=label,
        user=user,
        ip=client_address(request) if request is not None else None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
        path=request.path if request is not None else "",
    )


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    audit_record(actor=_request_actor(request, user, user.get_username()), action=Action.LOGIN)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        # Why the session ended when the person did not log out (web/middleware.py).
        reason = str(getattr(request, "logout_reason", ""))
        audit_record(
            actor=_request_actor(request, user, user.get_username()), action=Action.LOGOUT, summary=reason
        )


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=_request_actor(request, None, username or "(blank)"),
        action=Action.LOGIN_FAILED,
        account=_account(username),
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    name = str(username or "")[:150]
    audit_record(
        actor=_request_actor(request, None, name or "(blank)"),
        action=Action.LOCKED_OUT,
        account=_account(name),
    )


def _account(username: str) -> User | None:
    """The staff account a failed login named, so its clinics hear of it (none: the instance)."""
    if not username:
        return None
    return User.objects.filter(username=username).first()
