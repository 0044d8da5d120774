"""What screening announces to the domains above it (care, referrals, billing, measures):
they subscribe with ``tenancy.events.subscribe`` instead of being called."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from dyadcare.tenancy.events import DomainEvent


@dataclass(frozen=True)
class ResultRecorded(DomainEvent):
    """A screening result was scored and stored (by a family's submission or by staff)."""

    result_id: uuid.UUID
    child_id: uuid.UUID
    visit_id: uuid.UUID
    instrument_id: str
    category: str
    positive: bool | None


@dataclass(frozen=True)
class FlagRaised(DomainEvent):
    """A result raised a safety alert or a follow-up."""

    flag_id: uuid.UUID
    result_id: uuid.UUID
    severity: str


@dataclass(frozen=True)
class FlagResolved(DomainEvent):
    flag_id: uuid.UUID
