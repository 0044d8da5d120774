"""A billing user's morning on the demo network, in a browser: the held lines with their
reasons, a fix (a child's Medi-Cal ID) that turns the child's lines ready, releasing the ready
lines, exporting them as an X12 837P that pyx12 accepts, and downloading the clinic's earlier
CSV batch again."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import Count

from dyadcare.billing.export.csvfile import COLUMNS
from dyadcare.billing.export.validate import problems
from dyadcare.billing.models import ClaimLine
from dyadcare.tenancy.models import Clinic
from dyadcare.tenancy.scope import unscoped
from tests.browser.conftest import login_as, serious_violations

DESK = {"width": 1366, "height": 900}
NEW_CIN = "90000001Z"


def _clinic_with_a_child_to_fix() -> tuple[Clinic, str]:
    """The demo clinic with the most lines held only for a missing Medi-Cal ID, and one such child."""
    with unscoped("the test picks a demo clinic"):
        held = ClaimLine.objects.filter(status="held", reason_codes=" no-medi-cal-id ")
        top = held.values("clinic").annotate(n=Count("pk")).order_by("-n").first()
        assert top is not None, "the demo holds lines for a missing Medi-Cal ID"
        clinic = Clinic.objects.get(pk=top["clinic"])
        line = held.filter(clinic=clinic).order_by("service_date", "code", "id").first()
        assert line is not None
        return clinic, str(line.child_id)


def _download(page: Any, link: Any) -> bytes:
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    with open(path, "rb") as handle:
        return handle.read()


def test_a_billing_morning(live_server: Any, browser: Any, demo_network: str) -> None:
    clinic, child_id = _clinic_with_a_child_to_fix()
    page = browser.new_page(viewport=DESK, accept_downloads=True)
    login_as(page, live_server.url, f"billing.{clinic.slug}")
    page.locator("nav.topbar__nav").get_by_role("link", name="Billing").click()
    page.wait_for_load_state()
    held_rows = page.locator("#billing-lines tr[data-line]")
    assert held_rows.count() > 0
    assert page.locator("#billing-lines .reason").first.inner_text()
    assert not serious_violations(page), "the worklist"

    # The fix: the child's Medi-Cal ID, from the link next to the reason.
    page.goto(f"{live_server.url}/c/{clinic.slug}/billing/children/{child_id}/coverage/")
    page.get_by_label("Medi-Cal ID (CIN)").fill(NEW_CIN)
    assert not serious_violations(page), "the coverage form"
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "no longer held" in page.locator("body").inner_text()
    with unscoped("the test reads the child's lines"):
        lines = ClaimLine.objects.filter(child_id=child_id)
        assert lines.filter(status="ready").exists() and not lines.filter(status="held").exists()
        freed = [str(pk) for pk in lines.filter(status="ready").values_list("pk", flat=True)]
    ready_rows = page.locator("#billing-lines tr[data-line]")
    assert {ready_rows.nth(i).get_attribute("data-line") for i in range(ready_rows.count())} >= set(freed)

    # Release every ready line shown.
    for box in page.locator("#billing-lines input[name=line]").all():
        box.check()
    page.get_by_role("button", name="Release picked lines").click()
    page.wait_for_load_state()
    assert "released for export" in page.locator("body").inner_text()

    # Export the 837P and download it; then the earlier CSV batch.
    page.get_by_role("link", name="Export and batches").click()
    page.wait_for_load_state()
    page.get_by_label("File").select_option("837p")
    page.get_by_role("button", name="Export", exact=True).click()
    page.wait_for_load_state()
    assert "lines exported" in page.locator("body").inner_text()
    assert not serious_violations(page), "the batches page"
    newest = page.locator("#batches tbody tr").first
    text = _download(page, newest.get_by_role("link", name="Download")).decode("ascii")
    assert problems(text) == []
    assert f"*MI*{NEW_CIN}~" in text
    history = page.locator("#batches tbody tr", has_text="CSV").first
    rows = list(
        csv.DictReader(io.StringIO(_download(page, history.get_by_role("link", name="Download")).decode()))
    )
    assert rows and tuple(rows[0]) == COLUMNS
