"""The demo network: realistic, deterministic and idempotent."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from dyadcare.demo.families import iter_families
from dyadcare.demo.staff import DEMO_PASSWORD
from dyadcare.families.models import Caregiver, CareRelationship, Child
from dyadcare.tenancy.models import Clinic, Membership, User
from dyadcare.tenancy.roles import Role
from dyadcare.tenancy.scope import unscoped

ANCHOR = date(2026, 1, 15)


def _clinics() -> list[Clinic]:
    return [Clinic(slug=s, name=s, city="X") for s in ("fruitvale", "valley", "eastside")]


def _draw(children: int, seed: int = 1) -> list:  # type: ignore[type-arg]
    return list(iter_families(seed=seed, anchor=ANCHOR, clinics=_clinics(), children=children))


def test_the_same_seed_draws_the_same_families_and_more_children_only_add() -> None:
    small = _draw(400)
    again = _draw(400)
    bigger = _draw(800)
    ids = [c.id for f in small for c in f.children]
    assert ids == [c.id for f in again for c in f.children]
    assert [c.given_name for f in small for c in f.children] == [
        c.given_name for f in again for c in f.children
    ]
    assert set(ids) <= {c.id for f in bigger for c in f.children}
    bigger_caregivers = {c.id: c.full_name for f in bigger for c in f.caregivers}
    assert all(bigger_caregivers[c.id] == c.full_name for f in small for c in f.caregivers)
    assert ids != [c.id for f in _draw(400, seed=2) for c in f.children]
    assert len(ids) == 400


def test_the_population_looks_like_a_medi_cal_clinic_network() -> None:
    families = _draw(5000)
    children = [c for f in families for c in f.children]
    preterm = sum(
        1 for c in children if c.gestational_age_days is not None and c.gestational_age_days < 37 * 7
    )
    assert 0.08 < preterm / len(children) < 0.12, "about 10% preterm"
    languages = Counter(c.preferred_language for c in children)
    assert 0.2 < languages["es"] / len(children) < 0.45
    assert len(languages) >= 6
    hispanic = sum(1 for c in children if "hispanic" in c.race_ethnicity)
    assert 0.5 < hispanic / len(children) < 0.7
    assert any(len(c.race_ethnicity) == 2 for c in children), "multiracial children"
    with_siblings = sum(1 for f in families if len(f.children) > 1)
    assert with_siblings / len(families) > 0.3
    several_caregivers = sum(1 for f in families if len(f.caregivers) > 1)
    assert several_caregivers / len(families) > 0.5
    assert any(c.given_name in {"Sofía", "Mateo", "Camila"} for c in children)
    assert any(c.given_name in {"Olivia", "Liam", "Noah"} for c in children)
    assert all(c.mrn for c in children) and len({c.mrn for c in children}) == len(children)
    ages = [(ANCHOR - f.children[0].date_of_birth).days for f in families]
    assert max(ages) <= 42 * 30 and min(ages) >= 0


def test_demo_command_creates_the_network_once(db: None) -> None:
    out = io.StringIO()
    call_command("demo", children=120, seed=7, quiet=True, stdout=out)
    text = out.getvalue()
    assert "created" in text and "dyadcare-demo" in text
    for username in (
        "frontdesk.fruitvale",
        "specialist.float",
        "coach.golden-state",
        "netadmin.golden-state",
    ):
        assert username in text
    clinics = Clinic.objects.order_by("slug")
    assert sorted(c.service_model for c in clinics) == ["dulce", "healthysteps", "healthysteps"]
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values), "a demo login for every role"
    # Printed and shared by every visitor: in demo mode, the password alone logs them in.
    assert not User.objects.filter(shared_demo_login=False).exists()
    # The one password (hashed once for every login) opens each of them.
    assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())
    with unscoped("count demo records"):
        counts = (Child.objects.count(), Caregiver.objects.count(), CareRelationship.objects.count())
        assert counts[0] == 120
        assert Child.objects.filter(clinic__service_model="dulce").exists()
    second = io.StringIO()
    call_command("demo", children=120, seed=7, quiet=True, stdout=second)
    assert "created 0 households, 0 children, 0 caregivers, 0 relationships" in second.getvalue()
    with unscoped("count demo records"):
        assert (Child.objects.count(), Caregiver.objects.count(), CareRelationship.objects.count()) == counts
    with pytest.raises(CommandError, match="seed 7"):
        call_command("demo", children=10, seed=8, quiet=True, stdout=io.StringIO())


def test_stats_prints_one_json_object(db: None) -> None:
    call_command("demo", children=30, seed=3, quiet=True, stdout=io.StringIO())
    out = io.StringIO()
    call_command("stats", stdout=out)
    stats = json.loads(out.getvalue())
    assert {"networks", "clinics", "staff", "children", "caregivers"} <= stats.keys()
    assert (stats["networks"], stats["clinics"], stats["children"], stats["staff"]) == (1, 3, 30, 21)


def test_demo_history_has_visits_results_and_open_alerts(db: None) -> None:
    from dyadcare.instruments import engine
    from dyadcare.instruments.internal import registry
    from dyadcare.screening.models import Flag, ScreeningResult
    from dyadcare.touchpoints.models import Visit

    call_command("demo", children=1500, seed=5, quiet=True, stdout=io.StringIO())
    with unscoped("check the demo history"):
        statuses = Counter(Visit.objects.values_list("status", flat=True))
        assert statuses["completed"] > statuses["missed"] > 0
        assert statuses["scheduled"] > 0, "appointments in the coming weeks"
        results = list(ScreeningResult.objects.all())
        depression = [r for r in results if r.category == "maternal-depression"]
        assert 0.06 < sum(1 for r in depression if r.positive) / len(depression) < 0.22
        needs = [r for r in results if r.instrument_id == "ahc-hrsn"]
        food = sum(1 for r in needs if r.domains.get("food")) / len(needs)
        assert 0.15 < food < 0.35
        for result in results[:200]:  # totals are the engine's own
            instrument = registry.get(result.instrument_id)
            assert engine.score(instrument, result.answers).total == result.total
        assert {r.sensitivity[0] for r in depression} == {"PSY"}
        assert Flag.objects.filter(severity="alert").exists()
        assert Flag.objects.filter(resolved_at__isnull=True).exists(), "open flags show on first run"
        count = ScreeningResult.objects.count()
    again = io.StringIO()
    call_command("demo", children=1500, seed=5, quiet=True, stdout=again)
    assert "0 visits, 0 screening results" in again.getvalue()
    with unscoped("check"):
        assert ScreeningResult.objects.count() == count
