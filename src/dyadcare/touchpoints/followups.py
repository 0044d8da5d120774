"""Follow-ups that domains above add to the care team's lists: "my work" (care) and the alerts
worklist (screening). Referrals sit above both, so they register a provider here when their
app is ready, and neither list imports them (as with the huddle's providers in ``huddle``).

A provider receives the actor (inside its clinic scope), whether only the actor's own items
are wanted, the day, and optionally one child and a limit (its first ``limit`` items, soonest
due first, so a list shows a few and links to the rest); it answers with a fixed number of
queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from dyadcare.tenancy.actor import Actor


@dataclass(frozen=True)
class FollowUp:
    kind: str  # "referral", …
    child_id: uuid.UUID
    child_name: str
    text: str
    due: date | None
    url: str = ""


class FollowUpProvider(Protocol):
    def __call__(
        self,
        actor: Actor,
        mine: bool,
        today: date,
        *,
        child: uuid.UUID | None = None,
        limit: int | None = None,
    ) -> list[FollowUp]: ...


FOLLOW_UP_PROVIDERS: list[FollowUpProvider] = []


def register_follow_up_provider(provider: FollowUpProvider) -> FollowUpProvider:
    if provider not in FOLLOW_UP_PROVIDERS:
        FOLLOW_UP_PROVIDERS.append(provider)
    return provider


def follow_ups(
    actor: Actor, *, mine: bool, today: date, child: uuid.UUID | None = None, limit: int | None = None
) -> list[FollowUp]:
    """Every registered provider's items (one child's, when ``child`` is given), soonest due
    first; the first ``limit`` of them when ``limit`` is given."""
    found = [
        item
        for provider in FOLLOW_UP_PROVIDERS
        for item in provider(actor, mine, today, child=child, limit=limit)
    ]
    ordered = sorted(found, key=lambda f: (f.due or date.max, f.child_name))
    return ordered if limit is None else ordered[:limit]
