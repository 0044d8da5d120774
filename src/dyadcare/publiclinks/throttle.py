"""An address that keeps opening links that match nothing is turned away for a while."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dyadcare.publiclinks.models import LinkAttempt

FAILURES_PER_ADDRESS = 20
WINDOW_MINUTES = 10


def is_throttled(*, kind: str, ip: str | None) -> bool:
    """Whether ``ip`` opened too many unknown ``kind`` links in the last window."""
    since = timezone.now() - timedelta(minutes=WINDOW_MINUTES)
    return LinkAttempt.objects.filter(kind=kind, ip=ip, at__gte=since).count() >= FAILURES_PER_ADDRESS


def record_unknown(*, kind: str, ip: str | None) -> None:
    LinkAttempt.objects.create(kind=kind, ip=ip, at=timezone.now())
