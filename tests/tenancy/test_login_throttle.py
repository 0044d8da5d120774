"""Login throttling that cannot be turned against users: a password sprayed over many accounts
from one address is slowed, one account guessed from many addresses is locked except where
its owner logs in, and behind a trusted proxy each client is counted as itself."""

from __future__ import annotations

from ipaddress import ip_network
from typing import Any

import pytest
from django.test import Client, RequestFactory

from dyadcare.tenancy.addresses import client_address
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.roles import CLINIC_ROLES
from dyadcare.tenancy.scope import unscoped
from tests.factories import PASSWORD, ClinicWorld

ACCOUNTS = sorted(f"{role}-a" for role in CLINIC_ROLES)


def _login(username: str, password: str, *, ip: str, forwarded: str | None = None) -> int:
    extra: dict[str, Any] = {"REMOTE_ADDR": ip}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = Client().post("/login/", {"username": username, "password": password}, **extra)
    return int(response.status_code)


def test_spraying_across_accounts_from_one_address_is_slowed(world: ClinicWorld) -> None:
    assert len(ACCOUNTS) >= 6
    sprayer = "198.51.100.20"
    guesses = 0
    for username in ACCOUNTS[:5]:
        for _guess in range(4):  # under the five a name may miss from one address
            guesses += 1
            # The twentieth failure from the address locks it (axes answers it with the lockout).
            assert _login(username, f"Summer2026!{guesses}", ip=sprayer) == (429 if guesses == 20 else 200)
    # The address reached its limit: even a right password waits there ...
    assert _login(ACCOUNTS[5], PASSWORD, ip=sprayer) == 429
    assert _login("admin-b", "Summer2026!", ip=sprayer) == 429
    # ... and nowhere else: the people sprayed at log in from their own computers.
    for username in ACCOUNTS[:5]:
        assert _login(username, PASSWORD, ip="203.0.113.7") == 302


def test_one_account_guessed_from_many_addresses_stays_open_where_its_owner_works(
    world: ClinicWorld,
) -> None:
    name = "pediatric_clinician-a"
    clinic = "203.0.113.50"
    assert _login(name, PASSWORD, ip=clinic) == 302  # the owner's usual address
    for n in range(1, 21):  # a botnet: one guess from each of twenty addresses
        assert _login(name, f"guess-{n}", ip=f"192.0.2.{n}") == (429 if n == 20 else 200)
    assert _login(name, PASSWORD, ip="192.0.2.200") == 429, "a new address waits"
    assert _login(name, PASSWORD, ip=clinic) == 302, "its owner is not locked out at the clinic"
    assert _login("billing-a", PASSWORD, ip="192.0.2.201") == 302, "other accounts are not affected"


def test_a_person_mistyping_is_locked_after_five(world: ClinicWorld) -> None:
    for n in range(1, 6):
        assert _login("front_desk-a", "wrong", ip="203.0.113.8") == (429 if n == 5 else 200)
    assert _login("front_desk-a", PASSWORD, ip="203.0.113.8") == 429


def test_behind_a_trusted_proxy_each_client_counts_as_itself(world: ClinicWorld, settings: Any) -> None:
    settings.TRUSTED_PROXIES = (ip_network("10.0.0.0/8"),)
    proxy = "10.0.0.2"
    for n in range(1, 6):
        status = _login("front_desk-a", "wrong", ip=proxy, forwarded="203.0.113.9, 10.0.0.9")
        assert status == (429 if n == 5 else 200)
    assert _login("front_desk-a", PASSWORD, ip=proxy, forwarded="203.0.113.9") == 429
    # Another person behind the same proxy is not locked out by the first one's failures.
    assert _login("front_desk-a", PASSWORD, ip=proxy, forwarded="198.51.100.44") == 302
    with unscoped("read the audit log"):
        addresses = set(AuditEvent.objects.filter(action="login_failed").values_list("ip", flat=True))
        logins = set(AuditEvent.objects.filter(action="login").values_list("ip", flat=True))
    assert addresses == {"203.0.113.9"} and logins == {"198.51.100.44"}, "the audit names the client"


def test_a_forwarded_header_from_anyone_else_is_ignored(world: ClinicWorld, settings: Any) -> None:
    settings.TRUSTED_PROXIES = (ip_network("10.0.0.0/8"),)
    attacker = "198.51.100.66"
    for n in range(1, 6):  # a new made-up address in the header every time
        status = _login("front_desk-a", "wrong", ip=attacker, forwarded=f"192.0.2.{n}")
        assert status == (429 if n == 5 else 200)
    assert _login("front_desk-a", PASSWORD, ip=attacker, forwarded="192.0.2.99") == 429


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.1", "", "203.0.113.1"),
        ("203.0.113.1", "192.0.2.1", "203.0.113.1"),  # not a trusted proxy: the header is ignored
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "192.0.2.1", "192.0.2.1"),
        ("10.0.0.2", "192.0.2.66, 192.0.2.1, 10.0.0.3", "192.0.2.1"),  # nearest untrusted hop
        ("10.0.0.2", "10.0.0.4, 10.0.0.3", "10.0.0.4"),
        ("10.0.0.2", "192.0.2.1:51000", "192.0.2.1"),
        ("10.0.0.2", "[2001:db8::7]:443", "2001:db8::7"),
        ("10.0.0.2", "192.0.2.1, not-an-address", "10.0.0.2"),  # unreadable: the proxy itself
        ("::ffff:10.0.0.2", "192.0.2.1", "192.0.2.1"),
        ("", "192.0.2.1", None),
    ],
)
def test_the_client_address(settings: Any, remote: str, forwarded: str, expected: str | None) -> None:
    settings.TRUSTED_PROXIES = (ip_network("10.0.0.0/8"),)
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_without_trusted_proxies_the_header_is_never_read(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ()
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert client_address(request) == "10.0.0.2"
