"""A clinic administrator browses the instrument library, opens a licensed instrument, loads
its Spanish text from a CSV file (first with a mistake, then right) and sees it; axe finds no
serious or critical violation on the pages, on a workstation and a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import VIEWPORTS, login_as, serious_violations


def _csv(path: Path, rows: int) -> Path:
    lines = ["number,text,option_1,option_2,option_3,option_4"]
    lines += [f'{n},"Texto con licencia {n}",Sí siempre,A veces,Casi nunca,Nunca' for n in range(1, rows + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_library_and_licensed_text_upload(
    live_server: Any, browser: Any, demo_network: str, viewport: str, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-US")
    page = context.new_page()
    login_as(page, live_server.url, "admin.fruitvale")
    page.get_by_role("link", name="Instruments").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Screening instruments").is_visible()
    assert page.locator("table").first.locator("tbody tr").count() == 17
    assert not serious_violations(page), "library"

    page.get_by_role("link", name="Edinburgh Postnatal Depression Scale (EPDS)").click()
    page.wait_for_load_state()
    assert "Item 1: text not loaded (licensed)" in page.content()
    assert not serious_violations(page), "instrument page"

    page.get_by_role("link", name="Load licensed text").click()
    page.wait_for_load_state()
    page.locator("main").get_by_role("combobox", name="Language").select_option("es")
    page.get_by_label("Text file (JSON or CSV)").set_input_files(str(_csv(tmp_path / "short.csv", 9)))
    page.get_by_label("Our clinic holds a licence to use this text in this language.").check()
    page.get_by_role("button", name="Upload and save").click()
    page.wait_for_load_state()
    assert "Nothing was saved" in page.get_by_role("alert").inner_text()
    assert "This instrument has 10 items; the file has 9." in page.locator("#id_file_error").inner_text()
    assert not serious_violations(page), "upload with an error"

    page.locator("main").get_by_role("combobox", name="Language").select_option("es")
    page.get_by_label("Text file (JSON or CSV)").set_input_files(str(_csv(tmp_path / "full.csv", 10)))
    page.get_by_label("Our clinic holds a licence to use this text in this language.").check()
    page.get_by_role("button", name="Upload and save").click()
    page.wait_for_load_state()
    assert "The item text was saved." in page.content()
    assert "/instruments/epds/" in page.url
    context.close()

    spanish = browser.new_context(viewport=VIEWPORTS[viewport], locale="es-US")
    page = spanish.new_page()
    login_as(page, live_server.url, "admin.fruitvale", language="es")
    page.goto(f"{live_server.url}/c/fruitvale/instruments/epds/")
    assert "Texto con licencia 3" in page.content()
    assert not serious_violations(page), "instrument page in Spanish"
    spanish.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_settings_change_and_its_history(
    live_server: Any, browser: Any, demo_network: str, viewport: str
) -> None:
    """A clinic administrator raises the PPSC cut-off, then puts the default back: the settings
    page shows the value in force and both changes, newest first; axe finds nothing serious."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-US")
    page = context.new_page()
    login_as(page, live_server.url, "admin.fruitvale")
    settings = f"{live_server.url}/c/fruitvale/instruments/swyc-ppsc/settings/"
    page.goto(settings)
    assert "No change yet" in page.content()
    assert not serious_violations(page), "settings page without history"
    for value, reason in (("10", "pilot with the medical director"), ("", "end of the pilot")):
        page.goto(settings)
        page.get_by_label("Positive at a total of at least").fill(value)
        page.get_by_label("Reason for the change").fill(reason)
        page.get_by_role("button", name="Save settings").click()
        page.wait_for_load_state()
        assert "The settings were saved." in page.content()
    page.goto(settings)
    history = page.get_by_role("table", name="Every change of these settings, newest first")
    rows = history.locator("tbody tr")
    assert rows.count() == 2
    assert "end of the pilot" in rows.nth(0).inner_text() and "in force" in rows.nth(0).inner_text()
    assert "pilot with the medical director" in rows.nth(1).inner_text() and "10" in rows.nth(1).inner_text()
    assert "In force: 9, the library default" in page.content()
    assert not serious_violations(page), "settings page with history"
    context.close()
