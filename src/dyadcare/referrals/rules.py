"""Pure rules of directory search: needs mapped to taxonomy terms (``data/need_taxonomy.json``),
ZIP code centroids (``data/zip_centroids_ca.csv``, offline), distances, and whether a
schedule is open at a moment."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from dyadcare.clinicaldata import load

DATA = Path(__file__).resolve().parent / "data"
EARTH_RADIUS_MILES = 3958.8
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Need:
    key: str
    label: dict[str, str]
    screening_domains: tuple[str, ...]
    codes: tuple[str, ...]
    confidence: str

    def label_in(self, language: str) -> str:
        return self.label.get(language) or self.label["en"]


@cache
def needs() -> tuple[Need, ...]:
    data: Sequence[Any] = load("need_taxonomy")["needs"]
    return tuple(
        Need(
            key=n["key"],
            label=dict(n["label"]),
            screening_domains=tuple(n["screening_domains"]),
            codes=tuple(t["code"] for t in n["terms"]),
            confidence=n["confidence"],
        )
        for n in data
    )


def need_for(key_or_domain: str) -> Need | None:
    """A need by its key (``food``) or by a screening domain that maps to it
    (``housing-instability``)."""
    for need in needs():
        if key_or_domain == need.key or key_or_domain in need.screening_domains:
            return need
    return None


@cache
def zip_centroids() -> dict[str, tuple[float, float]]:
    with (DATA / "zip_centroids_ca.csv").open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return {r["zip"]: (float(r["latitude"]), float(r["longitude"])) for r in csv.DictReader(lines)}


def centroid(zip_code: str) -> tuple[float, float] | None:
    return zip_centroids().get(zip_code.strip()[:5])


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


def bounding_box(point: tuple[float, float], miles: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) around ``point`` holding every place within ``miles``."""
    lat, lon = point
    dlat = miles / 69.0
    dlon = miles / max(69.0 * math.cos(math.radians(lat)), 1e-6)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@dataclass(frozen=True)
class Hours:
    """One HSDS schedule row, as far as opening hours go."""

    freq: str
    byday: str
    opens_at: time | None
    closes_at: time | None
    valid_from: date | None = None
    valid_to: date | None = None


def _day_matches(part: str, moment: datetime) -> bool:
    """``MO`` any Monday; with MONTHLY, ``1MO`` the first Monday, ``-1FR`` the last Friday."""
    day, prefix = part[-2:], part[:-2]
    if day not in DAYS or DAYS[moment.weekday()] != day:
        return False
    if not prefix:
        return True
    try:
        nth = int(prefix)
    except ValueError:
        return False
    if nth > 0:
        return (moment.day - 1) // 7 + 1 == nth
    days_left = (date(moment.year + moment.month // 12, moment.month % 12 + 1, 1) - moment.date()).days
    return (days_left - 1) // 7 + 1 == -nth


def is_open(hours: Hours, moment: datetime) -> bool:
    """Whether the schedule is open at ``moment`` (a local time)."""
    if hours.opens_at is None or hours.closes_at is None:
        return False
    if hours.valid_from and moment.date() < hours.valid_from:
        return False
    if hours.valid_to and moment.date() > hours.valid_to:
        return False
    if hours.freq.upper() not in ("WEEKLY", "MONTHLY", ""):
        return False
    parts = [p.strip().upper() for p in hours.byday.split(",") if p.strip()]
    if parts and not any(_day_matches(p, moment) for p in parts):
        return False
    now = moment.time()
    if hours.closes_at <= hours.opens_at:  # open past midnight
        return now >= hours.opens_at or now < hours.closes_at
    return hours.opens_at <= now < hours.closes_at


def day_names(byday: str) -> list[int]:
    """The weekdays (0 = Monday) a ``byday`` names, for showing hours."""
    return sorted({DAYS.index(p.strip()[-2:]) for p in byday.upper().split(",") if p.strip()[-2:] in DAYS})
