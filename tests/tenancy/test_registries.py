"""The registries tenancy keeps for the domains above it: permissions, audit actions, events."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction

from dyadcare.tenancy import auditactions, events
from dyadcare.tenancy.audit import audit_record
from dyadcare.tenancy.roles import Role, all_permissions, permission, role_permissions
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.web.context import Can
from tests.factories import ClinicWorld, staff_actor

SRC = Path(__file__).resolve().parents[2] / "src" / "dyadcare"

# The matrix as it stood when every permission lived in tenancy: declaring permissions in
# their own domains must not change who may do what.
EXPECTED = {
    Role.FRONT_DESK: {
        "family.view", "family.edit", "staff.view", "visit.manage", "instruments.view", "screening.manage",
    },
    Role.PEDIATRIC_CLINICIAN: {
        "family.view", "family.edit", "staff.view", "visit.manage", "instruments.view", "screening.manage",
        "screening.view", "screening.view_psy", "screening.view_eth", "screening.view_sdv",
        "screening.view_soc", "alert.acknowledge",
    },
    Role.FAMILY_PARTNER: {
        "family.view", "family.edit", "staff.view", "visit.manage", "instruments.view", "screening.manage",
        "screening.view", "screening.view_soc", "screening.view_sdv",
    },
    Role.BILLING: {"family.view", "staff.view", "instruments.view"},
    Role.CLINIC_ADMIN: {
        "family.view", "family.edit", "staff.view", "visit.manage", "instruments.view", "screening.manage",
        "audit.view", "schedule.configure", "instruments.manage", "alert.acknowledge", "staff.manage",
        "family.merge",
    },
    Role.NETWORK_COACH: {"network.aggregate_view"},
    Role.NETWORK_ADMIN: {"network.aggregate_view", "network.manage", "network.security_view"},
}  # fmt: skip
# Care coordination (issue 11): everyone at the clinic sees a family's care, billing included
# (it reads the service log); clinicians set tiers; clinicians and family partners agree plans,
# log services and write notes; the care team keeps tasks and sees its work.
_CARE_TEAM_CARE = {"care.view", "care.task_manage", "care.caseload"}
EXPECTED[Role.FRONT_DESK] |= _CARE_TEAM_CARE
EXPECTED[Role.CLINIC_ADMIN] |= _CARE_TEAM_CARE
EXPECTED[Role.PEDIATRIC_CLINICIAN] |= _CARE_TEAM_CARE | {"care.tier_set", "care.plan_edit"}
EXPECTED[Role.FAMILY_PARTNER] |= _CARE_TEAM_CARE | {"care.plan_edit"}
EXPECTED[Role.BILLING] |= {"care.view"}
EXPECTED[Role.DYADIC_SPECIALIST] = EXPECTED[Role.PEDIATRIC_CLINICIAN]
# Billing (issue 13): billing staff and clinic administrators see and work the claim lines;
# the clinic's billing settings and rule overrides are the administrator's.
EXPECTED[Role.BILLING] |= {"billing.view", "billing.manage"}
EXPECTED[Role.CLINIC_ADMIN] |= {"billing.view", "billing.manage", "billing.configure"}


def test_the_role_matrix_is_what_it_was() -> None:
    for role in Role.values:
        assert role_permissions(role) == EXPECTED[role], role


def test_each_domain_declares_its_own_permissions() -> None:
    declared_in = {}
    for path in SRC.glob("*/permissions.py"):
        for code in re.findall(r'permission\(\s*"([a-z_.]+)"', path.read_text(encoding="utf-8")):
            declared_in[code] = path.parent.name
    assert set(declared_in) == set(all_permissions())
    assert declared_in["screening.manage"] == "screening"
    assert declared_in["visit.manage"] == "touchpoints"
    assert declared_in["family.edit"] == "families"


def test_a_permission_is_declared_once_and_for_known_roles() -> None:
    with pytest.raises(ValueError, match="twice"):
        permission("screening.manage", "something else", roles={Role.BILLING})
    with pytest.raises(ValueError, match="not clinic roles"):
        permission("test.nobody", "x", roles={"janitor"})
    with pytest.raises(ValueError, match="namespaced"):
        permission("flat", "x", roles={Role.BILLING})


def test_every_permission_a_template_names_exists() -> None:
    names = set()
    for path in SRC.rglob("templates/**/*.html"):
        names |= set(re.findall(r"\bcan\.([a-z_]+)", path.read_text(encoding="utf-8")))
    assert names, "the staff templates check permissions through `can`"
    everyone = Can(frozenset(all_permissions()))
    for name in sorted(names):
        assert getattr(everyone, name) is True, name
    with pytest.raises(AttributeError):
        _ = everyone.visit_mangle


def test_audit_actions_are_declared_and_namespaced_by_domain(world: ClinicWorld) -> None:
    actor = staff_actor(world, "dyadic_specialist")
    with clinic_scope(world.a), pytest.raises(ValueError, match="undeclared"):
        audit_record(actor=actor, action="screening.made_up", obj=world.child_a)
    domain = [code for code, _label in auditactions.choices() if "." in code]
    assert "screening.link_sent" in domain and "screening.dob_failed" in domain
    assert all(code.split(".")[0] in {p.name for p in SRC.iterdir()} for code in domain)
    assert "screening.link_sent" in auditactions.of_kind("write")
    assert "screening.dob_failed" in auditactions.of_kind("security")
    assert "view" in auditactions.of_kind("read")


@dataclass(frozen=True)
class _Happened(events.DomainEvent):
    what: str


def _emit_then_fail(clinic: uuid.UUID) -> None:
    with transaction.atomic():
        events.emit(_Happened(clinic_id=clinic, what="rolled back"))
        raise RuntimeError("undo")


def test_events_reach_listeners_after_commit_and_never_after_a_rollback(
    db: None, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    heard: list[str] = []

    @events.subscribe(_Happened)
    def listen(event: _Happened) -> None:
        heard.append(event.what)

    @events.subscribe(_Happened)
    def broken(event: _Happened) -> None:
        raise RuntimeError("a listener's failure is logged, not raised")

    clinic = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            events.emit(_Happened(clinic_id=clinic, what="kept"))
            assert heard == [], "nothing is delivered before the commit"
        with pytest.raises(RuntimeError, match="undo"):
            _emit_then_fail(clinic)
    assert heard == ["kept"]
