"""The claim-line CSV for a practice-management system: one row per line, fixed columns.

Pure Python. Columns (in this order; dates ISO 8601, lists separated by spaces):

==================  =======================================================================
``line_id``         the claim line's id in dyadcare (stable; echo it back to match payments)
``billing_npi``     the clinic's organisation NPI (billing provider)
``child_last_name`` the child's last name
``child_first_name``the child's first name
``date_of_birth``   the child's date of birth
``medi_cal_id``     the child's Medi-Cal ID (CIN), the member ID every dyadic line is billed under
``plan``            the managed care plan, empty for fee for service
``service_date``    the date of service
``code``            HCPCS or CPT code
``modifiers``       modifiers, e.g. ``HD``
``units``           units billed
``rendering_npi``   the rendering provider's NPI
``rendering_name``  the rendering provider's name
``diagnosis_codes`` ICD-10-CM codes with their dots, the first is the principal one
``charge``          the charge per line (the clinic's fee schedule), two decimals
==================  =======================================================================

A cell that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``) is
prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Row:
    line_id: str
    billing_npi: str
    child_last_name: str
    child_first_name: str
    date_of_birth: date
    medi_cal_id: str
    plan: str
    service_date: date
    code: str
    modifiers: tuple[str, ...]
    units: int
    rendering_npi: str
    rendering_name: str
    diagnosis_codes: tuple[str, ...]
    charge: Decimal


COLUMNS = tuple(f.name for f in fields(Row))


def _cell(value: object) -> str:
    if isinstance(value, tuple):
        text = " ".join(str(v) for v in value)
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, Decimal):
        text = f"{value.quantize(Decimal('0.01')):f}"
    else:
        text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_csv(rows: Iterable[Row]) -> str:
    """The CSV text (header first, CRLF line ends as RFC 4180 says)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(v) for v in astuple(row)])
    return out.getvalue()
