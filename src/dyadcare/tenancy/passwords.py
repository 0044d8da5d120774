"""Changing a password, and resetting it by an emailed one-time link.

A reset request never tells whether an account exists: the page answers the same, and the
request itself does the same work either way (it queues a job with the address typed; the
job looks the account up and sends the link), so the answer's timing says nothing either."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from dyadcare.tenancy import account_tokens
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.tenancy.audit_actions import AccountAction
from dyadcare.tenancy.models import AccountToken, User

# At most this many reset emails per account per hour (a link mailed again and again is noise).
RESETS_PER_HOUR = 3


@transaction.atomic
def password_change(*, actor: Actor, old_password: str, new_password: str) -> None:
    """The person changes their own password (their other sessions end)."""
    user = actor.user
    assert user is not None
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("Your current password is not right.")})
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=AccountAction.PASSWORD_CHANGED, obj=user)


def password_reset_request(*, actor: Actor, email: str, link_template: str) -> None:
    """Queue the reset email for ``email``: the same work whether or not an account uses it."""
    audit_record(actor=actor, action=AccountAction.RESET_REQUESTED, summary="reset link asked for")
    send_password_reset.enqueue(email.strip()[:254], link_template)


@task()
def send_password_reset(email: str, link_template: str) -> bool:
    """Email a one-time reset link to the active account using ``email``, if there is one."""
    user = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
    if user is None or not user.has_usable_password():
        return False
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = AccountToken.objects.filter(
        user=user, purpose=AccountToken.Purpose.RESET, created_at__gte=hour_ago
    )
    if recent.count() >= RESETS_PER_HOUR:
        return False
    minutes = settings.PASSWORD_RESET_MINUTES
    token = account_tokens.issue(
        user=user, purpose=AccountToken.Purpose.RESET, lifetime=timedelta(minutes=minutes)
    )
    send_mail(
        _("Reset your dyadcare password"),
        _(
            "Hello %(name)s,\n\nSomeone (we hope you) asked to reset the password of your dyadcare "
            "account %(username)s. Open this link to choose a new one; it works once, for "
            "%(minutes)s minutes:\n\n%(link)s\n\nIf you did not ask, ignore this email: your "
            "password stays as it is."
        )
        % {
            "name": user.get_full_name(),
            "username": user.get_username(),
            "minutes": minutes,
            "link": account_tokens.link(link_template, token),
        },
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    return True


def reset_for(token: str) -> User | None:
    found = account_tokens.find(token, AccountToken.Purpose.RESET)
    return found.user if found else None


@transaction.atomic
def password_reset(*, token: str, new_password: str, ip: str | None = None, user_agent: str = "") -> User:
    """Set a new password through a reset link; the link then stops working. Two-step login
    stays as it was: the next login still asks for the code."""
    found = account_tokens.find(token, AccountToken.Purpose.RESET, for_update=True)
    if found is None:
        raise ValidationError(_("This link has expired or was already used."))
    user = found.user
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    account_tokens.spend(found)
    actor = Actor(label=user.get_username(), user=user, ip=ip, user_agent=user_agent[:300])
    audit_record(actor=actor, action=AccountAction.PASSWORD_RESET, obj=user)
    return user
