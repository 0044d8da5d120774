"""What touchpoints announces to the domains above it (adherence keeps each child's outreach
need from the child's visits): they subscribe with ``tenancy.events.subscribe``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from dyadcare.tenancy.events import DomainEvent


@dataclass(frozen=True)
class VisitChanged(DomainEvent):
    """A visit was booked, imported, moved, or its status changed (arrived, completed,
    missed, cancelled)."""

    visit_id: uuid.UUID
    child_id: uuid.UUID
