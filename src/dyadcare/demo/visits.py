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
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from dyadcare.demo.families import NAMESPACE
from dyadcare.demo.fastinsert import fast_insert
from dyadcare.families.models import Child
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.schedule import windows

CAPACITY_PER_DAY = 60  # well-child appointments a clinic books a day (3 clinicians x 20 slots)
SLOTS = [time(8 + (20 * i) // 60, (20 * i) % 60) for i in range(27)]  # 8:00 to 16:40
LOOKAHEAD_DAYS = 28
BATCH = 5000

# Share of families by how reliably they come (assumption for the demo): (share, kept-visit rate)
ADHERENCE = [(0.6, 0.93), (0.3, 0.78), (0.1, 0.55)]


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


@dataclass
class VisitDraw:
    """What every child's visits are drawn with; ``booked`` counts the appointments of each
    clinic's days as they are booked."""

    seed: int
    anchor: date
    horizon: date  # appointments are booked up to this day
    tz: tzinfo
    now: datetime
    booked: dict[tuple[uuid.UUID, date], int] = field(default_factory=lambda: defaultdict(int))


def build_visits(*, seed: int, anchor: date) -> int:
    """Create the visits of every demo child (inside an unscoped block); returns how many."""
    draw = VisitDraw(
        seed=seed,
        anchor=anchor,
        horizon=anchor + timedelta(days=LOOKAHEAD_DAYS),
        tz=timezone.get_current_timezone(),
        now=timezone.now(),
    )
    batch: list[tuple[object, ...]] = []
    before = Visit.objects.count()
    # Read every child first: an open read cursor would stop SQLite from checkpointing its
    # write-ahead log while the visits are written.
    children = list(
        Child.objects.order_by("id").values_list("id", "clinic_id", "household_id", "date_of_birth")
    )
    for child_id, clinic_id, household_id, dob in children:
        batch += _child_visits(draw, child_id, clinic_id, household_id, dob)
        if len(batch) >= BATCH:
            fast_insert(Visit, COLUMNS, batch)
            batch = []
    fast_insert(Visit, COLUMNS, batch)
    return Visit.objects.count() - before


def _child_visits(
    draw: VisitDraw,
    child_id: uuid.UUID,
    clinic_id: uuid.UUID,
    household_id: uuid.UUID,
    dob: date,
) -> list[tuple[object, ...]]:
    """One child's past visits (kept or missed) and their next appointment, if it is booked."""
    kept = _kept_rate(random.Random(f"{draw.seed}:adherence:{household_id}"))
    rng = random.Random(f"{draw.seed}:visits:{child_id}")
    rows: list[tuple[object, ...]] = []
    for point, target, start, end in windows(dob):
        if target >= draw.anchor:
            if target < draw.horizon or start <= draw.anchor <= end:
                appointment = _book_appointment(draw, child_id, clinic_id, point.key, target, rng)
                if appointment is not None:
                    rows.append(appointment)
            break
        if rng.random() > kept:
            missed = _missed_visit(draw, child_id, clinic_id, point.key, target, rng)
            if missed is not None:
                rows.append(missed)
            continue
        completed = _completed_visit(draw, child_id, clinic_id, point.key, target, rng)
        if completed is not None:
            rows.append(completed)
    return rows


def _book_appointment(
    draw: VisitDraw, child_id: uuid.UUID, clinic_id: uuid.UUID, key: str, target: date, rng: random.Random
) -> tuple[object, ...] | None:
    """The coming appointment, in the first day with room from a few days after ``target``;
    None when the clinic has no room until a week past the horizon."""
    booked = draw.booked
    day = _weekday(max(draw.anchor, target) + timedelta(days=rng.randint(0, 3)))
    while booked[(clinic_id, day)] >= CAPACITY_PER_DAY and day < draw.horizon + timedelta(days=7):
        day = _weekday(day + timedelta(days=1))
    if booked[(clinic_id, day)] >= CAPACITY_PER_DAY:
        return None
    slot = booked[(clinic_id, day)]
    booked[(clinic_id, day)] += 1
    when = datetime.combine(day, SLOTS[slot % len(SLOTS)], tzinfo=draw.tz)
    return (
        _visit_id(draw.seed, child_id, key),
        clinic_id,
        child_id,
        when,
        key,
        Visit.Status.SCHEDULED,
        None,
        None,
        NO_TICKS,
        DEMO,
        draw.now,
        draw.now,
    )


def _missed_visit(
    draw: VisitDraw, child_id: uuid.UUID, clinic_id: uuid.UUID, key: str, target: date, rng: random.Random
) -> tuple[object, ...] | None:
    """A visit booked but not kept, half the time; otherwise it was never booked (None)."""
    missed_on = _past_weekday(target, draw.anchor)
    if missed_on and rng.random() < 0.5:
        return _past(
            draw.seed, child_id, clinic_id, key, missed_on, rng, draw.tz, Visit.Status.MISSED, draw.now
        )
    return None


def _completed_visit(
    draw: VisitDraw,
    child_id: uuid.UUID,
    clinic_id: uuid.UUID,
    key: str,
    target: date,
    rng: random.Random,
) -> tuple[object, ...] | None:
    """A kept visit, perhaps late (None: no weekday fits). What was screened at it is the
    screening step's: its results are the evidence."""
    lateness = rng.choice([0, 0, 0, 1, 2, 3, 5, 7, 7, 10, 14, 21, 30, 45])
    kept_on = _past_weekday(target + timedelta(days=lateness), draw.anchor) or _past_weekday(
        target, draw.anchor
    )
    if kept_on is None:
        return None
    return _past(draw.seed, child_id, clinic_id, key, kept_on, rng, draw.tz, Visit.Status.COMPLETED, draw.now)


COLUMNS = (
    "id",
    "clinic",
    "child",
    "scheduled_for",
    "touchpoint",
    "status",
    "arrived_at",
    "closed_at",
    "ticked_without_evidence",
    "source",
    "created_at",
    "updated_at",
)
DEMO = Visit.Source.DEMO.value
NO_TICKS: list[str] = []  # a visit records no screening: its results are the evidence


def _past(
    seed: int,
    child_id: uuid.UUID,
    clinic_id: uuid.UUID,
    key: str,
    day: date,
    rng: random.Random,
    tz: tzinfo,
    status: str,
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
        NO_TICKS,
        DEMO,
        now,
        now,
    )
