"""US phone numbers, normalised to E.164 (+1 and ten digits) for sending texts."""

from __future__ import annotations

import re


class PhoneError(ValueError):
    pass


def normalize_us_phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    # NANP: area code and exchange start with 2-9.
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        raise PhoneError(text)
    return "+1" + digits


def format_us_phone(e164: str) -> str:
    """'+15105550134' -> '(510) 555-0134'."""
    digits = e164[2:] if e164.startswith("+1") else e164
    if len(digits) != 10:
        return e164
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
