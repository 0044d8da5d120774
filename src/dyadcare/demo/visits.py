"""Demo visit history and the coming weeks' appointments, with the adherence of a Medi-Cal
clinic: most visits kept, some late, some missed, a few never booked.

Each child draws from its own random stream (seeded by the demo seed and the child's id)
and each visit's id is derived from the child and touchpoint, so the step is deterministic
and a second run adds nothing. Appointments in the coming weeks are booked into each clinic's
day up to its capacity, in a fixed order, so the busiest day is full.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from dyadcare.demo.families import NAMESPACE
from dyadcare.demo.fastinsert import fast_insert
from dyadcare.families.models import Child
from dyadcare.touchpoints.bundles import Bundle
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.schedule import windows

CAPACITY_PER_DAY = 60  # well-child appointments a clinic books a day (3 clinicians x 20 slots)
SLOTS = [time(8 + (20 * i) // 60, (20 * i) % 60) for i in range(27)]  # 8:00 to 16:40
LOOKAHEAD_DAYS = 28
BATCH = 5000

# Share of families by how reliably they come (assumption for the demo): (share, kept-visit rate)
ADHERENCE = [(0.6, 0.93), (0.3, 0.78), (0.1, 0.55)]
CATEGORY_DONE = {"maternal-depression": 0.85, "family-needs": 0.8}


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _past_weekday(day: date, anchor: date) -> date | None:
    """A weekday on or near ``day`` that is before ``anchor`` (None if there is none)."""
    moved = _weekday(day)
    if moved >= anchor:
        moved = day
        while moved.weekday() >= 5:
            moved -= timedelta(days=1)
    return moved if moved < anchor else None


def _visit_id(seed: int, child_id: uuid.UUID, key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{seed}:visit:{child_id}:{key}")


def _kept_rate(rng: random.Random) -> float:
    roll = rng.random()
    for share, rate in ADHERENCE:
        if roll < share:
            return rate
        roll -= share
    return ADHERENCE[-1][1]


def build_visits(*, seed: int, anchor: date, clinic_models: dict[uuid.UUID, str]) -> int:
    """Create the visits of every demo child (inside an unscoped block); returns how many."""
    tz = timezone.get_current_timezone()
    bundles = {clinic_id: Bundle(service_model=model) for clinic_id, model in clinic_models.items()}
    booked: dict[tuple[uuid.UUID, date], int] = defaultdict(int)
    horizon = anchor + timedelta(days=LOOKAHEAD_DAYS)
    batch: list[tuple[object, ...]] = []
    before = Visit.objects.count()
    now = timezone.now()
    # Read every child first: an open read cursor would stop SQLite from checkpointing its
    # write-ahead log while the visits are written.
    children = list(
        Child.objects.order_by("id").values_list("id", "clinic_id", "household_id", "date_of_birth")
    )
    for child_id, clinic_id, household_id, dob in children:
        family = random.Random(f"{seed}:adherence:{household_id}")
        kept = _kept_rate(family)
        rng = random.Random(f"{seed}:visits:{child_id}")
        bundle = bundles[clinic_id]
        for point, target, start, end in windows(dob):
            if target >= anchor:
                if target < horizon or start <= anchor <= end:
                    day = _weekday(max(anchor, target) + timedelta(days=rng.randint(0, 3)))
                    while booked[(clinic_id, day)] >= CAPACITY_PER_DAY and day < horizon + timedelta(days=7):
                        day = _weekday(day + timedelta(days=1))
                    if booked[(clinic_id, day)] >= CAPACITY_PER_DAY:
                        break
                    slot = booked[(clinic_id, day)]
                    booked[(clinic_id, day)] += 1
                    when = datetime.combine(day, SLOTS[slot % len(SLOTS)], tzinfo=tz)
                    batch.append(
                        (
                            _visit_id(seed, child_id, point.key),
                            clinic_id,
                            child_id,
                            when,
                            point.key,
                            Visit.Status.SCHEDULED,
                            None,
                            None,
                            [],
                            DEMO,
                            now,
                            now,
                        )
                    )
                break
            if rng.random() > kept:
                missed_on = _past_weekday(target, anchor)
                if missed_on and rng.random() < 0.5:  # booked but not kept; otherwise never booked
                    batch.append(
                        _past(
                            seed,
                            child_id,
                            clinic_id,
                            point.key,
                            missed_on,
                            rng,
                            tz,
                            Visit.Status.MISSED,
                            [],
                            now,
                        )
                    )
                continue
            lateness = rng.choice([0, 0, 0, 1, 2, 3, 5, 7, 7, 10, 14, 21, 30, 45])
            kept_on = _past_weekday(target + timedelta(days=lateness), anchor) or _past_weekday(
                target, anchor
            )
            if kept_on is None:
                continue
            done = [
                entry.category
                for entry in bundle.due_at(point.key)
                if rng.random() < CATEGORY_DONE.get(entry.category, 0.92)
            ]
            batch.append(
                _past(
                    seed, child_id, clinic_id, point.key, kept_on, rng, tz, Visit.Status.COMPLETED, done, now
                )
            )
        if len(batch) >= BATCH:
            fast_insert(Visit, COLUMNS, batch)
            batch = []
    fast_insert(Visit, COLUMNS, batch)
    return Visit.objects.count() - before


COLUMNS = (
    "id",
    "clinic",
    "child",
    "scheduled_for",
    "touchpoint",
    "status",
    "arrived_at",
    "closed_at",
    "completed_categories",
    "source",
    "created_at",
    "updated_at",
)
DEMO = Visit.Source.DEMO.value


def _past(
    seed: int,
    child_id: uuid.UUID,
    clinic_id: uuid.UUID,
    key: str,
    day: date,
    rng: random.Random,
    tz: tzinfo,
    status: str,
    done: list[str],
    now: datetime,
) -> tuple[object, ...]:
    when = datetime.combine(day, SLOTS[rng.randrange(len(SLOTS))], tzinfo=tz)
    arrived = when if status == Visit.Status.COMPLETED else None
    return (
        _visit_id(seed, child_id, key),
        clinic_id,
        child_id,
        when,
        key,
        status,
        arrived,
        when + timedelta(minutes=40),
        done,
        DEMO,
        now,
        now,
    )
