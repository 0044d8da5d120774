"""What shows a screening category done, from screening's records: the touchpoints schedule
asks through its evidence providers (``touchpoints/evidence.py``).

- A result counts when it decides the screen: complete, or positive (a positive the answers
  given already make certain). An incomplete result that is not positive leaves the category
  due, to be finished. It counts on the day of the visit it belongs to (a link answered the
  evening before counts at the visit; a paper form entered the day after, too).
- A result entered by staff from a paper form is kind ``paper``; the family's, ``result``.
- A screen recorded as done elsewhere counts on the date it was given, whichever visit it
  was recorded at.

Two queries for any number of children (the huddle asks for all of a day's children)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

from django.db.models import Q
from django.utils import timezone

from dyadcare.screening.models import DoneElsewhere, ScreeningResult
from dyadcare.touchpoints.due import Done

DECIDES_THE_SCREEN = Q(complete=True) | Q(positive=True)


def category_evidence(child_ids: Collection[uuid.UUID]) -> Mapping[uuid.UUID, Sequence[Done]]:
    found: dict[uuid.UUID, list[Done]] = defaultdict(list)
    results = (
        ScreeningResult.objects.filter(DECIDES_THE_SCREEN, child_id__in=child_ids)
        .exclude(category="")
        .values_list(
            "child_id", "category", "instrument_id", "entered_by_id", "visit_id", "visit__scheduled_for"
        )
    )
    for child_id, category, instrument_id, entered_by, visit_id, when in results:
        found[child_id].append(
            Done(
                category=category,
                day=timezone.localtime(when).date(),
                instrument_id=instrument_id,
                kind="paper" if entered_by else "result",
                visit_id=visit_id,
            )
        )
    elsewhere = DoneElsewhere.objects.filter(child_id__in=child_ids).values_list(
        "child_id", "category", "instrument_id", "done_on"
    )
    for child_id, category, instrument_id, done_on in elsewhere:
        found[child_id].append(Done(category, done_on, instrument_id, "elsewhere"))
    return found
