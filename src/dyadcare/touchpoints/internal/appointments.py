"""Reading a clinic day's appointments from a CSV file: each line becomes a booking request or
a reason it cannot be one. Booking itself goes through the same service as the form."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils.translation import gettext as _

from dyadcare.touchpoints.schedule import TOUCHPOINT_KEYS

IMPORT_COLUMNS = ("date", "time", "mrn", "touchpoint", "clinician")
REQUIRED_COLUMNS = ("date", "time", "mrn")
MAX_IMPORT_ROWS = 2000
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y")
_TIME_FORMATS = ("%H:%M", "%I:%M %p", "%I:%M%p", "%H:%M:%S")


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass(frozen=True)
class Appointment:
    """One line of the file, read: what to book."""

    line: int
    day: date
    at: time
    mrn: str
    touchpoint: str
    clinician: str


class ImportRefused(Exception):
    """The file as a whole cannot be read (no header, too many rows, not CSV)."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.reason)
        self.error = error


def _parse(text: str, formats: Sequence[str]) -> datetime | None:
    for fmt in formats:
        try:
            return datetime.strptime(text.strip().upper(), fmt)  # noqa: DTZ007 (a wall-clock value)
        except ValueError:
            continue
    return None


def parse_date(text: str) -> date | None:
    parsed = _parse(text, _DATE_FORMATS)
    return parsed.date() if parsed else None


def parse_time(text: str) -> time | None:
    parsed = _parse(text, _TIME_FORMATS)
    return parsed.time() if parsed else None


def _rows(text: str) -> Iterator[tuple[int, dict[str, str] | RowError]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ImportRefused(RowError(1, _("The file is not a CSV file: %(why)s") % {"why": exc})) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        reason = _("The first line must name the columns; missing: %(c)s") % {"c": ", ".join(missing)}
        raise ImportRefused(RowError(1, reason))
    count = 0
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the reader cannot go on after a broken line
            reason = _("This line cannot be read, nor the lines after it: %(why)s") % {"why": exc}
            broken = reader.line_num + 1  # the line being read is not counted yet
            yield broken, RowError(broken, reason)
            return
        count += 1
        if count > MAX_IMPORT_ROWS:
            reason = _("Too many rows: import at most %(n)d at a time.") % {"n": MAX_IMPORT_ROWS}
            raise ImportRefused(RowError(reader.line_num, reason))
        yield reader.line_num, {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}


def _read(line: int, row: Mapping[str, str]) -> Appointment | RowError:
    day, at = parse_date(row.get("date", "")), parse_time(row.get("time", ""))
    point = row.get("touchpoint", "").lower()
    if day is None:
        return RowError(line, _("the date %(v)r is not a date (use YYYY-MM-DD)") % {"v": row.get("date", "")})
    if at is None:
        return RowError(
            line, _("the time %(v)r is not a time (use 14:30 or 2:30 PM)") % {"v": row.get("time", "")}
        )
    if not row.get("mrn"):
        return RowError(line, _("the MRN is empty"))
    if point and point not in TOUCHPOINT_KEYS:
        return RowError(line, _("unknown touchpoint %(v)r") % {"v": point})
    return Appointment(line, day, at, row["mrn"], point, row.get("clinician", ""))


def read_appointments(text: str) -> tuple[list[Appointment], list[RowError]]:
    """Every non-empty line read (raises ImportRefused when the file cannot be read at all)."""
    appointments: list[Appointment] = []
    errors: list[RowError] = []
    for line, row in _rows(text):
        if isinstance(row, RowError):
            errors.append(row)
            continue
        if not any(row.values()):
            continue
        read = _read(line, row)
        (errors if isinstance(read, RowError) else appointments).append(read)  # type: ignore[arg-type]
    return appointments, errors
