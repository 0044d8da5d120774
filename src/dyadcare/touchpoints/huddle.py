"""Notes that other domains add to a huddle row (safety alerts, open referrals, tier).

Screening, care and referrals sit above touchpoints, so they register a provider here when
their app is ready. A provider receives every visit of the day at once and answers with one
query, so the huddle's query count does not grow with the number of visits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from dyadcare.touchpoints.models import Visit


@dataclass(frozen=True)
class HuddleNote:
    kind: str  # "flag", "referral", "tier", …
    text: str
    level: Literal["alert", "warning", "info"] = "info"
    url: str = ""


HuddleProvider = Callable[[Sequence["Visit"]], Mapping[uuid.UUID, list[HuddleNote]]]
HUDDLE_PROVIDERS: list[HuddleProvider] = []


def register_huddle_provider(provider: HuddleProvider) -> HuddleProvider:
    if provider not in HUDDLE_PROVIDERS:
        HUDDLE_PROVIDERS.append(provider)
    return provider
