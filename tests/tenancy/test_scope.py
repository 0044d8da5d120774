"""A query on a record about a person outside a clinic scope fails loudly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django_scopes.exceptions import ScopeError

from dyadcare.families.models import Caregiver, CareRelationship, Child, Household
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope, clinics_scope, unscoped
from tests.factories import ClinicWorld

PHI_MODELS = [Child, Caregiver, CareRelationship, Household, AuditEvent]


@pytest.mark.parametrize("model", PHI_MODELS, ids=lambda m: m.__name__)
def test_a_query_without_a_scope_raises(world: ClinicWorld, model: type) -> None:
    with pytest.raises(ScopeError):
        list(model.objects.all())  # type: ignore[attr-defined]
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()  # type: ignore[attr-defined]
    with pytest.raises(ScopeError):
        model.objects.count()  # type: ignore[attr-defined]


def test_a_scope_shows_one_clinic_only(world: ClinicWorld) -> None:
    assert world.child_a and world.child_b
    with clinic_scope(world.a):
        assert list(Child.objects.all()) == [world.child_a]
        assert not Child.objects.filter(pk=world.child_b.pk).exists()
        # Related managers are scoped too.
        assert world.caregiver_a
        assert list(world.caregiver_a.care_relationships.values_list("child_id", flat=True)) == [
            world.child_a.pk
        ]
    with clinic_scope(world.b):
        assert list(Child.objects.all()) == [world.child_b]


def test_a_scope_needs_a_saved_clinic(world: ClinicWorld) -> None:
    from dyadcare.tenancy.models import Clinic

    with pytest.raises(ScopeError), clinic_scope(None):  # type: ignore[arg-type]
        pass
    with pytest.raises(ScopeError), clinic_scope(Clinic(name="unsaved")):
        pass


def test_a_network_scope_spans_its_clinics(world: ClinicWorld) -> None:
    with clinics_scope([world.a, world.b]):
        assert Child.objects.count() == 2


def test_unscoped_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="why"), unscoped(""):
        pass


def test_only_operator_tools_turn_the_scope_off() -> None:
    """The clinic scope may be turned off only where counting or generating across every
    clinic is the point. A new caller must be added here, deliberately."""
    allowed = {
        "tenancy/scope.py",
        "demo/generate.py",
        "families/selectors.py",
        # A family link names its session: the token is the scope.
        "screening/services.py",
    }
    root = Path(__file__).resolve().parents[2] / "src" / "dyadcare"
    callers = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bunscoped\(|scopes_disabled\(|with_scopes_disabled\(", text):
            callers.add(path.relative_to(root).as_posix())
    assert callers == allowed
