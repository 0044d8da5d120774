"""A directory row's primary key, derived from its network, its table and its HSDS id.

Importing the same record again gives the same key, so the import links rows (a service to
its organization, say) and upserts them in bulk without reading them first."""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("5b0d3a52-8f0e-4c55-9a55-3c2f0b4f1d8e")


def row_key(network_id: uuid.UUID | str, table: str, hsds_id: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{network_id}:{table}:{hsds_id}")
