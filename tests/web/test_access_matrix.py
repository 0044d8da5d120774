"""Every URL × every role × another clinic: generated from the URL patterns themselves, so a
new view is covered the day it is added."""

from __future__ import annotations

import pytest
from django.test import Client

from dyadcare.tenancy.roles import CLINIC_ROLES, NETWORK_ROLES, role_permissions
from tests.factories import ClinicWorld, login
from tests.web.urlmap import SHARED_KWARGS, Route, all_routes, url_for

ROUTES = all_routes()
CLINIC_ROUTES = [r for r in ROUTES if r.access and r.access.scope == "clinic"]
NETWORK_ROUTES = [r for r in ROUTES if r.access and r.access.scope == "network"]
# Link pages (a family's /f/<token>/) are public too: the token is the key; the family tests
# (tests/screening/test_family_misuse.py) prove what a wrong or stale token gets.
PRIVATE_ROUTES = [r for r in ROUTES if r.access and r.access.scope not in ("public", "link")]
ALLOWED = {200, 302, 405}


def test_every_url_pattern_declares_its_access() -> None:
    undeclared = [r.pattern for r in ROUTES if r.access is None]
    assert not undeclared, f"wrap these views in an access decorator (dyadcare.web.access): {undeclared}"
    assert all(r.name for r in ROUTES), "every URL pattern needs a name"
    assert len(CLINIC_ROUTES) >= 10


def test_clinic_and_network_routes_name_their_permission() -> None:
    for route in CLINIC_ROUTES + NETWORK_ROUTES:
        assert route.access and route.access.perm, route.name


@pytest.mark.parametrize("route", PRIVATE_ROUTES, ids=lambda r: r.name)
def test_anonymous_is_sent_to_login(world: ClinicWorld, client: Client, route: Route) -> None:
    response = client.get(url_for(world, route))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("route", CLINIC_ROUTES, ids=lambda r: r.name)
def test_staff_of_another_clinic_get_404(world: ClinicWorld, client: Client, route: Route) -> None:
    assert world.admin_b
    login(client, world.admin_b)
    # Clinic A's URL: B's administrator holds no role there.
    assert client.get(url_for(world, route)).status_code == 404
    assert client.post(url_for(world, route)).status_code == 404
    # B's own URL naming A's records: the clinic scope hides them.
    if set(route.kwargs) - {"clinic_slug"} - SHARED_KWARGS:
        assert client.get(url_for(world, route, clinic="b")).status_code in {404, 405}
        assert client.post(url_for(world, route, clinic="b")).status_code in {404, 405}
        # (405: the page takes only the other method, whatever record the URL names.)


@pytest.mark.parametrize("route", CLINIC_ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", sorted(CLINIC_ROLES))
def test_clinic_role_matrix(world: ClinicWorld, client: Client, route: Route, role: str) -> None:
    assert route.access
    login(client, world.staff_a[role])
    status = client.get(url_for(world, route)).status_code
    if route.access.perm in role_permissions(role):
        assert status in ALLOWED, f"{role} should reach {route.name}, got {status}"
    else:
        assert status == 403, f"{role} must not reach {route.name}, got {status}"
        assert client.post(url_for(world, route)).status_code == 403


@pytest.mark.parametrize("route", CLINIC_ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", sorted(NETWORK_ROLES))
def test_network_roles_never_open_clinic_pages(
    world: ClinicWorld, client: Client, route: Route, role: str
) -> None:
    login(client, world.network_staff[role])
    assert client.get(url_for(world, route)).status_code == 404


@pytest.mark.parametrize("route", NETWORK_ROUTES, ids=lambda r: r.name)
def test_network_route_matrix(world: ClinicWorld, client: Client, route: Route) -> None:
    assert route.access and world.coach_elsewhere
    login(client, world.coach_elsewhere)
    assert client.get(url_for(world, route)).status_code == 404
    for role, user in world.network_staff.items():
        client.logout()
        login(client, user)
        status = client.get(url_for(world, route)).status_code
        expected_ok = route.access.perm in role_permissions(role)
        assert (status in ALLOWED) if expected_ok else status == 403, (role, route.name, status)
    for user in world.staff_a.values():
        client.logout()
        login(client, user)
        assert client.get(url_for(world, route)).status_code == 404
