"""Where the schedule finds what was done: evidence providers.

A screening category is done only when a record shows it (a scored result, a paper form
entered by staff, a screen recorded as done elsewhere). Those records belong to the domains
above touchpoints (screening), so each registers a provider here when its app is ready. A
provider receives every child of a page at once and answers with a fixed number of queries,
so the huddle's query count does not grow with the number of visits.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence

from dyadcare.touchpoints.due import Done

EvidenceProvider = Callable[[Collection[uuid.UUID]], Mapping[uuid.UUID, Sequence[Done]]]
EVIDENCE_PROVIDERS: list[EvidenceProvider] = []


def register_evidence_provider(provider: EvidenceProvider) -> EvidenceProvider:
    if provider not in EVIDENCE_PROVIDERS:
        EVIDENCE_PROVIDERS.append(provider)
    return provider


def evidence_for(child_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Done]]:
    """Every child's evidence from every provider (run in the clinic's scope)."""
    found: dict[uuid.UUID, list[Done]] = defaultdict(list)
    if not child_ids:
        return found
    for provider in EVIDENCE_PROVIDERS:
        for child_id, done in provider(child_ids).items():
            found[child_id].extend(done)
    return found
