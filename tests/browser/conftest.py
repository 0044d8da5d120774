"""Playwright driving Debian's chromium against the live test server."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if shutil.which("chromium") is None and not shutil.os.path.exists(CHROMIUM):  # type: ignore[attr-defined]
        pytest.fail("Debian's chromium is not installed: apt-get install -y chromium (make test does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def demo_network(transactional_db: None) -> str:
    out = io.StringIO()
    call_command("demo", children=400, seed=1, quiet=True, stdout=out)
    return out.getvalue()


def serious_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.response["passes"], "axe ran no rule: the page did not load"
    return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


LOGIN_LABELS = {
    "en": ("Username", "Password", "Log in"),
    "es": ("Nombre de usuario", "Contraseña", "Iniciar sesión"),
}
VIEWPORTS = {"workstation": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def login_as(page: Any, base: str, username: str, *, language: str = "en", check_axe: bool = False) -> None:
    """Log in through the login page as a demo user (the page's language decides the labels)."""
    from dyadcare.demo.staff import DEMO_PASSWORD

    user_label, password_label, button = LOGIN_LABELS[language]
    page.goto(f"{base}/login/")
    if check_axe:
        assert not serious_violations(page), "login page"
    page.get_by_label(user_label).fill(username)
    page.get_by_label(password_label).fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name=button).click()
    page.wait_for_load_state()
