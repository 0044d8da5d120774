"""Validators for identifiers used across clinics (no Django models here)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def npi_is_valid(value: str) -> bool:
    """A National Provider Identifier: 10 digits whose last is a Luhn check digit computed
    over the prefix 80840 plus the first nine (CMS, "Requirements for NPI check digit")."""
    if len(value) != 10 or not value.isdigit():
        return False
    digits = [int(ch) for ch in "80840" + value]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_npi(value: str) -> None:
    if value and not npi_is_valid(value):
        raise ValidationError(
            _("An NPI is 10 digits and its last digit must check out; please re-type it."),
            code="invalid_npi",
        )
