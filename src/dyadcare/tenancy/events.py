"""Domain events: a domain announces what happened; other domains listen.

A lower domain never calls an upper one. Instead it emits an event (a frozen dataclass that
names records by id, never by content), and the apps that care subscribe to it when they
start. Events are delivered after the transaction that caused them commits, so a listener
never sees work that was rolled back, and a listener's failure is logged without undoing the
work that emitted the event.

    @dataclass(frozen=True)
    class ResultRecorded(DomainEvent):
        result_id: uuid.UUID

    emit(ResultRecorded(clinic_id=..., result_id=...))      # in screening's service

    @subscribe(ResultRecorded)                              # in billing, measures, …
    def on_result(event: ResultRecorded) -> None: ...
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django.db import transaction

logger = logging.getLogger("dyadcare.events")


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened in one clinic. Subclasses add the ids a listener needs."""

    clinic_id: uuid.UUID


E = TypeVar("E", bound=DomainEvent)
Listener = Callable[[Any], None]
_LISTENERS: dict[type[DomainEvent], list[Listener]] = defaultdict(list)


def subscribe(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Register the decorated function to receive every ``event_type`` after commit."""

    def decorate(listener: Callable[[E], None]) -> Callable[[E], None]:
        if listener not in _LISTENERS[event_type]:
            _LISTENERS[event_type].append(listener)
        return listener

    return decorate


def listeners(event_type: type[DomainEvent]) -> list[Listener]:
    return list(_LISTENERS.get(event_type, []))


def emit(event: DomainEvent) -> None:
    """Deliver ``event`` to its listeners once the current transaction commits (at once when
    no transaction is open)."""
    transaction.on_commit(partial(_deliver, event))


def _deliver(event: DomainEvent) -> None:
    for listener in listeners(type(event)):
        try:
            listener(event)
        except Exception:
            logger.exception("listener %s failed on %s", getattr(listener, "__name__", listener), event)
