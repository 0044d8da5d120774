"""Every page that reads or writes protected health information leaves an audit entry.

The pages are found from the URL patterns (their ``phi`` rule), not listed by hand."""

from __future__ import annotations

import pytest
from django.test import Client

from dyadcare.tenancy import auditactions
from dyadcare.tenancy.models import AuditEvent, User
from dyadcare.tenancy.roles import role_permissions
from dyadcare.tenancy.scope import unscoped
from tests.factories import ClinicWorld, login
from tests.web.urlmap import Route, all_routes, sample_kwargs, sample_post, url_for

ROUTES = all_routes()
READ_ROUTES = [r for r in ROUTES if r.access and r.access.phi == "read"]
PHI_ROUTES = [r for r in ROUTES if r.access and r.access.phi != "none"]
NON_PHI_CLINIC_ROUTES = [
    r for r in ROUTES if r.access and r.access.scope == "clinic" and r.access.phi == "none"
]


def test_phi_routes_are_found() -> None:
    names = {r.name for r in PHI_ROUTES}
    assert {
        "web:child_detail",
        "web:child_list",
        "web:caregiver_detail",
        "web:child_edit",
        "web:child_create",
    } <= names


def _user_for(world: ClinicWorld, route: Route) -> tuple[str, User]:
    assert route.access
    role = next(r for r in sorted(world.staff_a) if route.access.perm in role_permissions(r))
    return role, world.staff_a[role]


def _new_events(user: User, before: set[int]) -> list[AuditEvent]:
    with unscoped("read new audit entries"):
        return list(AuditEvent.objects.filter(actor=user).exclude(id__in=before))


def _ids(user: User) -> set[int]:
    with unscoped("count audit entries"):
        return set(AuditEvent.objects.filter(actor=user).values_list("id", flat=True))


@pytest.mark.parametrize("route", READ_ROUTES, ids=lambda r: r.name)
def test_reading_a_phi_page_is_audited(world: ClinicWorld, client: Client, route: Route) -> None:
    role, user = _user_for(world, route)
    login(client, user)
    before = _ids(user)
    assert client.get(url_for(world, route)).status_code == 200
    new = _new_events(user, before)
    assert new, f"{route.name} showed PHI without an audit entry"
    assert all(e.clinic_id == world.a.pk and e.roles == role and e.ip == "127.0.0.1" for e in new)
    named = {str(v) for k, v in sample_kwargs(world, route).items() if k.endswith("_id")}
    if named:
        assert named & {e.object_id for e in new}, f"{route.name} did not name the record it showed"


@pytest.mark.parametrize("route", PHI_ROUTES, ids=lambda r: r.name)
def test_writing_through_a_phi_page_is_audited(world: ClinicWorld, client: Client, route: Route) -> None:
    _role, user = _user_for(world, route)
    login(client, user)
    if client.post(url_for(world, route), {}).status_code == 405:
        assert route.access and route.access.phi == "read"  # a page that only shows
        return
    before = _ids(user)
    response = client.post(url_for(world, route), sample_post(world, route))
    assert response.status_code == 302, (
        f"{route.name}: the sample data should be accepted ({response.status_code})"
    )
    writes = [e for e in _new_events(user, before) if e.action in auditactions.of_kind("write")]
    assert writes, f"{route.name} changed PHI without an audit entry"


@pytest.mark.parametrize("route", NON_PHI_CLINIC_ROUTES, ids=lambda r: r.name)
def test_pages_marked_without_phi_show_no_family(world: ClinicWorld, client: Client, route: Route) -> None:
    _role, user = _user_for(world, route)
    login(client, user)
    body = client.get(url_for(world, route)).content.decode()
    assert world.child_a and world.child_a.family_name not in body
