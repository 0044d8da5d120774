"""Inviting staff: an account without a password, its roles in one clinic, and an emailed
one-time link where the person sets their password."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from dyadcare.tenancy import account_tokens
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.tenancy.audit_actions import AccountAction
from dyadcare.tenancy.models import AccountToken, Clinic, Credential, Membership, User
from dyadcare.tenancy.permissions import TenancyPerm
from dyadcare.tenancy.roles import CLINIC_ROLES


@dataclass(frozen=True)
class Invitee:
    """Who is invited: their name, work email and the username they will log in with."""

    first_name: str
    last_name: str
    email: str
    username: str
    licence_type: str = Credential.LicenceType.NONE


def clean_roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles))
    if not chosen:
        raise ValidationError({"roles": _("Choose at least one role.")})
    unknown = [r for r in chosen if r not in CLINIC_ROLES]
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)}})
    return chosen


def _new_account(invitee: Invitee) -> User:
    email = invitee.email.strip()
    if not email:
        raise ValidationError({"email": _("The invitation is sent by email: enter an address.")})
    if User.objects.filter(username__iexact=invitee.username.strip()).exists():
        raise ValidationError({"username": _("This username is taken; choose another.")})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A staff account already uses this email address.")})
    user = User(
        username=invitee.username.strip(),
        first_name=invitee.first_name.strip(),
        last_name=invitee.last_name.strip(),
        email=email,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    credential = Credential(user=user, licence_type=invitee.licence_type)
    credential.full_clean()
    credential.save()
    return user


def _send_invitation(user: User, clinic: Clinic, link: str) -> None:
    days = settings.STAFF_INVITE_DAYS
    send_mail(
        _("Your dyadcare account at %(clinic)s") % {"clinic": clinic.name},
        _(
            "Hello %(name)s,\n\nYou are invited to use dyadcare at %(clinic)s. Open this link to "
            "choose your password (it works once, for %(days)s days):\n\n%(link)s\n\n"
            "If you did not expect this, ignore this email."
        )
        % {"name": user.get_full_name(), "clinic": clinic.name, "days": days, "link": link},
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


def invite(
    *, actor: Actor, clinic: Clinic, invitee: Invitee, roles: Iterable[str], link_template: str
) -> User:
    """Create the account with its roles in ``clinic`` and email the invitation (the callers
    check who may invite: a clinic administrator, or a network administrator for a new clinic)."""
    chosen = clean_roles(roles)
    user = _new_account(invitee)
    for role in chosen:
        Membership.objects.create(user=user, role=role, clinic=clinic)
    token = account_tokens.issue(
        user=user,
        purpose=AccountToken.Purpose.INVITE,
        lifetime=timedelta(days=settings.STAFF_INVITE_DAYS),
        created_by=actor.user,
    )
    audit_record(
        actor=actor,
        action=AccountAction.STAFF_INVITED,
        obj=user,
        clinic=clinic,
        summary=f"roles {','.join(chosen)}",
    )
    link = account_tokens.link(link_template, token)
    # Sent once the invitation is saved: never while the audit chain is locked, never for a
    # rolled-back invitation.
    transaction.on_commit(lambda: _send_invitation(user, clinic, link))
    return user


@transaction.atomic
def staff_invite(*, actor: Actor, invitee: Invitee, roles: Iterable[str], link_template: str) -> User:
    """A clinic administrator invites a new staff member to their clinic."""
    actor.require(TenancyPerm.STAFF_MANAGE)
    assert actor.clinic is not None
    return invite(actor=actor, clinic=actor.clinic, invitee=invitee, roles=roles, link_template=link_template)


@transaction.atomic
def invite_renew(*, actor: Actor, user: User, link_template: str) -> None:
    """Send a new invitation to someone who has not set up their account yet (the earlier
    link stops working)."""
    actor.require(TenancyPerm.STAFF_MANAGE)
    assert actor.clinic is not None
    if not Membership.objects.filter(user=user, clinic=actor.clinic).exists():
        raise User.DoesNotExist
    if user.has_usable_password():
        raise ValidationError(_("This person has already set up their account."))
    token = account_tokens.issue(
        user=user,
        purpose=AccountToken.Purpose.INVITE,
        lifetime=timedelta(days=settings.STAFF_INVITE_DAYS),
        created_by=actor.user,
    )
    audit_record(actor=actor, action=AccountAction.STAFF_INVITED, obj=user, summary="sent again")
    link, clinic = account_tokens.link(link_template, token), actor.clinic
    transaction.on_commit(lambda: _send_invitation(user, clinic, link))


def invitation_for(token: str) -> User | None:
    """Who a usable invitation link is for (None when unknown, used or expired)."""
    found = account_tokens.find(token, AccountToken.Purpose.INVITE)
    return found.user if found else None


@transaction.atomic
def invite_accept(*, token: str, password: str, ip: str | None = None, user_agent: str = "") -> User:
    """The invited person sets their password; the link then stops working."""
    found = account_tokens.find(token, AccountToken.Purpose.INVITE, for_update=True)
    if found is None:
        raise ValidationError(_("This invitation link has expired or was already used."))
    user = found.user
    validate_password(password, user)
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    account_tokens.spend(found)
    actor = Actor(label=user.get_username(), user=user, ip=ip, user_agent=user_agent[:300])
    audit_record(actor=actor, action=AccountAction.INVITE_ACCEPTED, obj=user)
    return user
