"""The practice-management CSV: documented columns, one row per line, no formula cells."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from dyadcare.billing.export.csvfile import COLUMNS, Row, write_csv


def _row(**changes: object) -> Row:
    values: dict[str, object] = {
        "line_id": "l1",
        "billing_npi": "1003000126",
        "child_last_name": "López",
        "child_first_name": "Maya",
        "date_of_birth": date(2025, 3, 1),
        "medi_cal_id": "91234567A",
        "plan": "",
        "service_date": date(2025, 11, 3),
        "code": "G8431",
        "modifiers": ("HD",),
        "units": 1,
        "rendering_npi": "1234567893",
        "rendering_name": "Ana Rivera",
        "diagnosis_codes": ("Z13.31", "Z00.129"),
        "charge": Decimal("12.5"),
    }
    values.update(changes)
    return Row(**values)  # type: ignore[arg-type]


def test_rows_follow_the_documented_columns() -> None:
    text = write_csv([_row(), _row(line_id="l2", code="H2015", modifiers=(), units=3)])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0].keys()) == COLUMNS
    assert rows[0]["child_last_name"] == "López"
    assert rows[0]["diagnosis_codes"] == "Z13.31 Z00.129"
    assert rows[0]["charge"] == "12.50" and rows[0]["service_date"] == "2025-11-03"
    assert rows[1]["modifiers"] == "" and rows[1]["units"] == "3"
    assert text.endswith("\r\n")


def test_a_cell_a_spreadsheet_would_run_is_neutralised() -> None:
    rows = list(csv.DictReader(io.StringIO(write_csv([_row(child_last_name="=HYPERLINK(1)")]))))
    assert rows[0]["child_last_name"] == "'=HYPERLINK(1)"
