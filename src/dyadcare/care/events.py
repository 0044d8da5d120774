"""What care announces to the domains above it (billing derives claim lines from the service
log): they subscribe with ``tenancy.events.subscribe`` instead of being called."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from dyadcare.tenancy.events import DomainEvent


@dataclass(frozen=True)
class ServiceLogged(DomainEvent):
    """A service delivered to the dyad was logged."""

    service_id: uuid.UUID
    child_id: uuid.UUID


@dataclass(frozen=True)
class ServiceRevised(DomainEvent):
    """A logged service was corrected (its previous version is kept)."""

    service_id: uuid.UUID
    child_id: uuid.UUID


@dataclass(frozen=True)
class ServiceVoided(DomainEvent):
    """A logged service was voided (logged in error)."""

    service_id: uuid.UUID
    child_id: uuid.UUID
