"""Two-step login (django-otp): an authenticator app's time-based code (TOTP), and recovery
codes shown once. Required of everyone who holds a role in a clinic (every clinic role reads
records about families) when ``MFA_REQUIRED`` is on (the default outside demo mode). In demo
mode the printed demo logins are shared by every visitor: they are never asked for a code and
cannot enrol one, so anyone can try every role. Enrolment, removal, wrong codes and used
recovery codes are audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.tenancy.audit_actions import AccountAction
from dyadcare.tenancy.models import Membership, User

RECOVERY_CODES = 10


@dataclass(frozen=True)
class MfaStatus:
    enrolled: bool
    required: bool
    can_enrol: bool
    recovery_left: int


def exempt(user: User) -> bool:
    """A shared demo login in demo mode: password alone, always."""
    return bool(settings.DEMO_MODE and user.shared_demo_login)


def enrolled(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def required(user: User) -> bool:
    """Whether ``user`` must use a second factor (and enrol one before anything else)."""
    if exempt(user) or not settings.MFA_REQUIRED:
        return False
    return Membership.objects.filter(user=user, clinic__isnull=False, active=True).exists()


def mfa_status(user: User) -> MfaStatus:
    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return MfaStatus(
        enrolled=enrolled(user),
        required=required(user),
        can_enrol=not exempt(user),
        recovery_left=static.token_set.count() if static else 0,
    )


def enrolment_start(*, actor: Actor) -> TOTPDevice:
    """A new authenticator secret, not in use until a code from it is confirmed (an earlier
    unconfirmed one is replaced)."""
    user = actor.user
    assert user is not None
    if exempt(user):
        raise ValidationError(_("Demo logins are shared by every visitor and cannot set up two-step login."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def enrolment_confirm(*, actor: Actor, code: str) -> list[str]:
    """Confirm the pending authenticator with a code from it; returns the recovery codes,
    to be shown once. A wrong code is audited (and slows the next try) and raises
    ValidationError."""
    user = actor.user
    assert user is not None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            raise ValidationError(_("Start again: scan the new code below."))
        accepted = device.verify_token(code.strip().replace(" ", ""))
        if accepted:
            TOTPDevice.objects.filter(user=user, confirmed=True).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _new_recovery_codes(user)
            audit_record(actor=actor, action=AccountAction.MFA_ENROLLED, obj=user)
            return codes
    audit_record(actor=actor, action=AccountAction.MFA_FAILED, obj=user, summary="enrolment")
    raise ValidationError(
        {
            "code": _(
                "That code is not right. Check that your phone's clock is right, wait a few "
                "seconds, then type the newest code."
            )
        }
    )


@transaction.atomic
def recovery_codes_renew(*, actor: Actor) -> list[str]:
    user = actor.user
    assert user is not None
    if not enrolled(user):
        raise ValidationError(_("Set up two-step login first."))
    codes = _new_recovery_codes(user)
    audit_record(actor=actor, action=AccountAction.MFA_ENROLLED, obj=user, summary="new recovery codes")
    return codes


@transaction.atomic
def mfa_remove(*, actor: Actor, password: str) -> None:
    """Remove the authenticator and recovery codes (the password is asked again). Someone
    who must use two-step login is asked to set it up again."""
    user = actor.user
    assert user is not None
    if not user.check_password(password):
        raise ValidationError({"password": _("That is not your password.")})
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    audit_record(actor=actor, action=AccountAction.MFA_REMOVED, obj=user)


def verify(*, actor: Actor, code: str) -> Device | None:
    """The device that accepts ``code`` (an authenticator code or a recovery code, which is
    then used up), or None, audited. django-otp slows repeated failures per device."""
    user = actor.user
    assert user is not None
    cleaned = code.strip().replace(" ", "").replace("-", "")
    if not cleaned:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            allowed, _why = device.verify_is_allowed()
            if allowed and device.verify_token(cleaned):
                if isinstance(device, StaticDevice):
                    audit_record(actor=actor, action=AccountAction.MFA_RECOVERY_USED, obj=user)
                return device
    audit_record(actor=actor, action=AccountAction.MFA_FAILED, obj=user, summary="login")
    return None


def enrolled_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()
