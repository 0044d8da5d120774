"""Numbers as people read them: ``3`` rather than ``3.0``."""

from __future__ import annotations


def plain(value: float | None) -> int | float | None:
    """A whole number as an int, any other rounded to four decimals (the numbers of the
    command-line contract and of the messages about answers)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 4)


def plain_text(value: float) -> str:
    """``3`` for 3.0, ``2.5`` for 2.5: a limit as a person writes it."""
    return str(int(value)) if float(value).is_integer() else str(value)
