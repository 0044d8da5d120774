"""The page benchmark's runner (bench/pages.py) on a small demo network, one round: every
staff page it names answers 200 beside the floor page, and the table shows each page's
queries and its ratio to the floor. The figures themselves are not checked (speed is
measured by the benchmarks, never asserted in tests)."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def pages(settings: Any) -> Any:
    sys.path.insert(0, str(BENCH))
    try:
        import floor
        import pages as runner
    finally:
        sys.path.remove(str(BENCH))
    settings.ROOT_URLCONF = floor  # the bench settings' URLconf: the app's URLs and the floor
    return runner


@pytest.mark.django_db
def test_every_staff_page_is_measured_against_the_floor(pages: Any) -> None:
    call_command("demo", children=40, seed=7, quiet=True, stdout=io.StringIO())
    from dyadcare.tenancy.models import Clinic

    clinic = Clinic.objects.select_related("network").get(slug=pages.CLINIC)
    staff, _ = pages.staff_pages(clinic)
    rows = pages.measure(staff, f"/c/{clinic.slug}/bench-floor/", 1)

    assert [r["page"] for r in rows] == ["floor", *(p.name for p in staff)]
    assert {"huddle", "child search", "alerts worklist", "network home", "my work"} <= {p.name for p in staff}
    assert all(r["queries"] > 0 and r["p50_ms"] > 0 for r in rows)
    # The floor is the least a page does (the alert banner is a polled fragment, not a page:
    # no audit entry, no session saved, fewer queries than the floor).
    whole = [r for r in rows[1:] if r["page"] != "alert banner"]
    assert len(whole) == len(rows) - 2
    assert rows[0]["queries"] < min(r["queries"] for r in whole), "the floor is the least a page does"
    meta = {"children": 40, "clinic": clinic.slug, "clinic_children": 50, "vendor": "sqlite",
            "requests": 1, "date": "today", "command": "make bench"}  # fmt: skip
    text = pages.table(rows, meta)
    assert text.count("\n| ") == len(rows) + 2  # the header, its rule and one line a page
    assert "| floor | empty clinic page |" in text
