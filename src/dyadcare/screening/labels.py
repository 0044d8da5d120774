"""The sensitivity rule of screening results, public for the domains above that hold content
with the same labels (a care team's encounter notes): which labels exist and whether a viewer
may read something that carries them."""

from __future__ import annotations

from collections.abc import Iterable

from dyadcare.screening.internal.sensitivity import LABEL_PERMISSIONS, access

LABELS: tuple[str, ...] = tuple(LABEL_PERMISSIONS)


def may_read(labels: Iterable[str], permissions: frozenset[str]) -> bool:
    """True when a viewer with ``permissions`` may read, in full, content with ``labels``
    (the rule that decides whether a screening result is shown in full)."""
    return access(labels, permissions) == "full"
