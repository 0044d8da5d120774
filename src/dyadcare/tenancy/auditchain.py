"""The audit log's hash chains: appending under a lock, and checking them.

Every entry belongs to one chain: its clinic's (``clinic:<id>``), else its network's
(``network:<id>``), else the instance's (``instance``). Its ``seq`` is its position in the
chain (1, 2, 3 …) and its ``hash`` is SHA-256 of the previous entry's hash and the entry's own
content (every column but the id), so an entry removed, added, changed or moved is noticed by
walking the chain. ``AuditChainHead`` holds each chain's last position and hash.

Appending locks the chain's head row for the rest of the transaction: on PostgreSQL with
``SELECT … FOR UPDATE``; on SQLite every write transaction is ``IMMEDIATE``, which already
holds the database's one write lock. The time of an entry is taken under the lock, so times
never go backwards along a chain and a back-dated entry is noticed too. A unique constraint
on (chain, seq) refuses a fork even from code that skips the lock.

What it cannot do alone: someone who can write the database directly and rewrites a chain's
whole tail and its head consistently is caught only against a copy of the heads kept elsewhere
(every backup's manifest records them).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from dyadcare.tenancy.models import AuditChainHead, AuditEvent

INSTANCE = "instance"
GENESIS = "0" * 64


class _Entry(Protocol):
    """What hashing reads from an entry (a model instance, or a historical one in a migration)."""

    chain: str
    seq: int | None
    at: datetime
    actor_id: Any
    actor_label: str
    roles: str
    clinic_id: Any
    network_id: Any
    action: str
    object_type: str
    object_id: str
    summary: str
    ip: str | None
    user_agent: str
    path: str


def chain_of(entry: _Entry) -> str:
    if entry.clinic_id is not None:
        return f"clinic:{entry.clinic_id}"
    if entry.network_id is not None:
        return f"network:{entry.network_id}"
    return INSTANCE


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return value


def _at(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def digest(previous: str, entry: _Entry) -> str:
    """The entry's hash: SHA-256 over the previous hash and its content, in a fixed form."""
    content = [
        entry.chain,
        entry.seq,
        _at(entry.at),
        _text(entry.actor_id),
        entry.actor_label,
        entry.roles,
        _text(entry.clinic_id),
        _text(entry.network_id),
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.summary,
        _ip(entry.ip),
        entry.user_agent,
        entry.path,
    ]
    data = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{data}".encode()).hexdigest()


def _locked_head(chain: str) -> AuditChainHead:
    """The chain's head, locked until the transaction ends (created the first time)."""
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(chain=chain, hash=GENESIS)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
    return head


def append(entries: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Write ``entries`` as the next links of their chains, in one transaction. Chains are
    locked in a fixed order (their names), so two writers never wait on each other in a cycle."""
    if not entries:
        return []
    by_chain: dict[str, list[AuditEvent]] = {}
    for entry in entries:
        entry.chain = chain_of(entry)
        by_chain.setdefault(entry.chain, []).append(entry)
    # No savepoint of its own: a failure here fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        for chain in sorted(by_chain):
            head = _locked_head(chain)
            now = timezone.now()
            for entry in by_chain[chain]:
                entry.at = now
                head.seq += 1
                entry.seq = head.seq
                entry.hash = head.hash = digest(head.hash, entry)
            head.save(update_fields=["seq", "hash"])
        AuditEvent._base_manager.bulk_create(entries)
    return list(entries)


def chain_existing(events: Iterable[Any], heads: dict[str, tuple[int, str]]) -> Iterable[Any]:
    """Give entries written before the chains existed their positions and hashes, in the order
    they were written (migration ``tenancy/0004``). ``heads`` is filled with each chain's end."""
    for entry in events:
        entry.chain = chain_of(entry)
        seq, previous = heads.get(entry.chain, (0, GENESIS))
        entry.seq = seq + 1
        entry.hash = digest(previous, entry)
        heads[entry.chain] = (entry.seq, entry.hash)
        yield entry


def heads() -> dict[str, dict[str, Any]]:
    """Every chain's last position and hash (for a backup's manifest)."""
    return {h.chain: {"seq": h.seq, "hash": h.hash} for h in AuditChainHead.objects.order_by("chain")}
