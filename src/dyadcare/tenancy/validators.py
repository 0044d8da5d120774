"""Validators for identifiers used across clinics (no Django models here)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dyadcare.clinicaldata import load


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


def validate_tax_id(value: str) -> None:
    """An employer identification number: nine digits, written 12-3456789."""
    if value and not re.fullmatch(r"\d{2}-\d{7}", value):
        raise ValidationError(
            _("A tax ID (EIN) is nine digits written as 12-3456789."), code="invalid_tax_id"
        )


def language_codes() -> list[str]:
    """The language codes families may prefer (families' data file, read here so that tenancy
    does not depend on the families app)."""
    return [choice["code"] for choice in load("demographics")["languages"]["choices"]]


def validate_languages(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Choose languages from the list."), code="invalid_languages")
    unknown = sorted(set(value) - set(language_codes()))
    if unknown:
        raise ValidationError(
            _("Unknown language: %(codes)s.") % {"codes": ", ".join(unknown)}, code="invalid_languages"
        )
