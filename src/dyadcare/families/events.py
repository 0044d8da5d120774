"""What families announces to the domains above it: they subscribe with
``tenancy.events.subscribe`` instead of being called."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from dyadcare.tenancy.events import DomainEvent


@dataclass(frozen=True)
class ChildChanged(DomainEvent):
    """A child was registered or edited (the date of birth may have changed), or merged into
    another record or out of it again (their visits moved)."""

    child_id: uuid.UUID
