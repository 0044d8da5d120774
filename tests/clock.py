"""A clock the tests move forward: ``django.utils.timezone.now`` (what the session store, the
staff session middleware, the throttles and the links read) returns the real time plus an
offset, or a fixed moment."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.fixed: datetime | None = None
        self._real = timezone.now

    def now(self) -> datetime:
        return self.fixed if self.fixed is not None else self._real() + self.offset

    def advance(self, **delta: float) -> None:
        if self.fixed is not None:
            self.fixed += timedelta(**delta)
        else:
            self.offset += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        self.fixed = moment


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Import ``clock_fixture`` into a test module to use the ``clock`` fixture."""
    moved = Clock()
    monkeypatch.setattr(timezone, "now", moved.now)
    return moved
