"""One-time links for staff accounts (invitations, password resets): the token is sent, only
its hash is stored, and it works once until it expires."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dyadcare.tenancy.models import AccountToken, User
from dyadcare.tenancy.tokens import looks_like_token, new_token, token_hash


def issue(*, user: User, purpose: str, lifetime: timedelta, created_by: User | None = None) -> str:
    """A new token for ``user``; any earlier unused one of the same purpose stops working."""
    now = timezone.now()
    AccountToken.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now)
    token = new_token()
    AccountToken.objects.create(
        user=user,
        purpose=purpose,
        token_hash=token_hash(token),
        created_by=created_by,
        expires_at=now + lifetime,
    )
    return token


def find(token: str, purpose: str, *, for_update: bool = False) -> AccountToken | None:
    """The usable token of ``purpose`` (not used, not expired), else None; ``for_update``
    locks its row so that two submissions of one link cannot both succeed."""
    if not looks_like_token(token):
        return None
    rows = AccountToken.objects.select_related("user")
    if for_update:
        rows = rows.select_for_update()
    found = rows.filter(token_hash=token_hash(token), purpose=purpose).first()
    return found if found is not None and found.usable else None


def spend(found: AccountToken) -> None:
    """Mark the token used, with every other unused token of the same purpose for the user."""
    now = timezone.now()
    AccountToken.objects.filter(user=found.user, purpose=found.purpose, used_at__isnull=True).update(
        used_at=now
    )


def link(template: str, token: str) -> str:
    return template.replace("TOKEN", token)
