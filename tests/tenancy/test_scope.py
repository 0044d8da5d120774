"""A query on a record about a person outside a clinic scope fails loudly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django_scopes.exceptions import ScopeError

from dyadcare.families.models import Child
from dyadcare.tenancy.models import Clinic, Membership
from dyadcare.tenancy.scope import clinic_scope, clinics_scope, unscoped
from tests.factories import ClinicWorld

# Models that name a clinic but are not a clinic's data: who may enter the clinic at all is
# decided before any scope can be opened.
NOT_CLINIC_DATA: dict[type[models.Model], str] = {
    Membership: "access control: the memberships decide which clinic scope opens",
}


def _holds_a_clinics_data(model: type[models.Model]) -> bool:
    return any(
        isinstance(field, models.ForeignKey) and field.related_model is Clinic
        for field in model._meta.get_fields()
        if field.concrete
    )


CLINIC_MODELS = sorted(
    (m for m in apps.get_models() if _holds_a_clinics_data(m) and m not in NOT_CLINIC_DATA),
    key=lambda m: m._meta.label,
)


def test_the_scoped_models_are_found_not_listed() -> None:
    labels = {m._meta.label for m in CLINIC_MODELS}
    assert {
        "families.Child",
        "touchpoints.Visit",
        "touchpoints.ScheduleRule",
        "screening.ScreeningSession",
        "screening.ScreeningResult",
        "screening.Flag",
        "screening.Message",
        "tenancy.AuditEvent",
        "instruments.ClinicItemText",
        "instruments.ClinicParameter",
    } <= labels


@pytest.mark.parametrize("model", CLINIC_MODELS, ids=lambda m: m._meta.label)
def test_a_query_without_a_scope_raises(world: ClinicWorld, model: type) -> None:
    """Every model holding a clinic's data is scoped: a new one that is not fails here."""
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


# Where the clinic scope may be turned off, call site by call site (file, function), each
# with its reason. A new caller fails the test until it is added here, deliberately.
UNSCOPED_CALL_SITES = {
    ("tenancy/scope.py", "unscoped"): "the switch itself",
    ("demo/generate.py", "build_demo"): "the demo generator writes every clinic's invented families",
    ("families/selectors.py", "record_counts"): "operators' record counts: numbers only",
    (
        "tenancy/audit.py",
        "network_security_events",
    ): "the network administrator's security events: no content",
    ("screening/family.py", "_find"): "a family link names its session: the token is the scope",
    ("referrals/partner.py", "_find"): "a referral's link names its referral: the token is the scope",
}


def _unscoped_call_sites() -> set[tuple[str, str]]:
    root = Path(__file__).resolve().parents[2] / "src" / "dyadcare"
    found = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                name = ""
                if isinstance(node, ast.Call):
                    callee = node.func
                    name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
                if name in {"unscoped", "scopes_disabled", "with_scopes_disabled"}:
                    found.add((path.relative_to(root).as_posix(), function.name))
    return found


def test_only_listed_call_sites_turn_the_scope_off() -> None:
    assert _unscoped_call_sites() == set(UNSCOPED_CALL_SITES)
