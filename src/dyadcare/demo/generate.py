"""Build (or complete) the demo network."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from dyadcare.adherence.needs import needs_refresh
from dyadcare.demo.billing import build_billing
from dyadcare.demo.care import build_care
from dyadcare.demo.directory import build_directory
from dyadcare.demo.families import FamilyRows, iter_families
from dyadcare.demo.fastinsert import fast_insert_objects
from dyadcare.demo.models import DemoNetwork
from dyadcare.demo.referrals import build_referrals
from dyadcare.demo.screening import build_screening_history
from dyadcare.demo.staff import Login, ensure_network, ensure_staff
from dyadcare.demo.visits import build_visits
from dyadcare.families.models import Caregiver, CareRelationship, Child, Household
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.models import Clinic, Network
from dyadcare.tenancy.scope import clinic_scope, unscoped

BATCH_FAMILIES = 2000


@dataclass(frozen=True)
class DemoContext:
    """What a later step of the demo (visits, screenings, …) builds on."""

    seed: int
    anchor_date: date
    network: Network
    clinics: list[Clinic]


# Steps that add to the families, in order; each adds only what is missing (idempotent) and
# records its counts in ``report.created``.
DEMO_EXTENSIONS: list[Callable[[DemoContext, DemoReport], None]] = []


@transaction.atomic
def _visits(context: DemoContext, report: DemoReport) -> None:
    report.created["visits"] = build_visits(seed=context.seed, anchor=context.anchor_date)


@transaction.atomic
def _screening(context: DemoContext, report: DemoReport) -> None:
    report.created["screening results"] = build_screening_history(
        seed=context.seed,
        anchor=context.anchor_date,
        clinic_models={c.pk: c.service_model for c in context.clinics},
    )


@transaction.atomic
def _care(context: DemoContext, report: DemoReport) -> None:
    report.created["care tiers"] = build_care(
        seed=context.seed,
        anchor=context.anchor_date,
        clinic_models={c.pk: c.service_model for c in context.clinics},
    )


@transaction.atomic
def _directory(context: DemoContext, report: DemoReport) -> None:
    report.created["directory services"] = build_directory(seed=context.seed, network=context.network)


@transaction.atomic
def _referrals(context: DemoContext, report: DemoReport) -> None:
    report.created["referrals"] = build_referrals(
        seed=context.seed, anchor=context.anchor_date, clinics=context.clinics
    )


def _billing(context: DemoContext, report: DemoReport) -> None:
    # One transaction per clinic (inside build_billing).
    report.created["claim lines"] = build_billing(anchor=context.anchor_date, clinics=context.clinics)


def _outreach(context: DemoContext, report: DemoReport) -> None:
    # The visits were bulk-inserted (no events): work out each clinic's outreach list once,
    # so the list does not refresh on its first request (one transaction per clinic).
    report.created["outreach needs"] = 0
    for clinic in context.clinics:
        with clinic_scope(clinic):
            report.created["outreach needs"] += needs_refresh(clinic=clinic) or 0


DEMO_EXTENSIONS.extend([_visits, _screening, _care, _directory, _referrals, _billing, _outreach])


class DemoSeedMismatch(Exception):
    pass


@dataclass
class DemoReport:
    seed: int
    anchor_date: date
    logins: list[Login]
    created: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


COUNTED = {
    "households": Household,
    "children": Child,
    "caregivers": Caregiver,
    "relationships": CareRelationship,
}


def _counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in COUNTED.items()}


def _insert(rows: list[FamilyRows]) -> None:
    # Records already present (same seed, same ids) are skipped by the database.
    fast_insert_objects(Household, [r.household for r in rows])
    fast_insert_objects(Child, [c for r in rows for c in r.children])
    fast_insert_objects(Caregiver, [c for r in rows for c in r.caregivers])
    fast_insert_objects(CareRelationship, [link for r in rows for link in r.links])


def build_demo(*, seed: int, children: int, progress: Callable[[int], None] | None = None) -> DemoReport:
    """Create the demo network with ``children`` children (idempotent for a seed)."""
    started = time.perf_counter()
    actor = Actor.system("demo")
    with unscoped("the demo generator writes every clinic's invented families"):
        with transaction.atomic():
            network, clinics = ensure_network(actor)
            demo, _ = DemoNetwork.objects.get_or_create(
                network=network, defaults={"seed": seed, "anchor_date": timezone.localdate()}
            )
            if demo.seed != seed:
                raise DemoSeedMismatch(
                    f"this database holds the demo network of seed {demo.seed}; "
                    f"run with --seed {demo.seed} or use an empty database"
                )
            logins = ensure_staff(actor, network, clinics)
        report = DemoReport(seed=seed, anchor_date=demo.anchor_date, logins=logins)
        before = _counts()
        batch: list[FamilyRows] = []
        drawn = 0
        for family in iter_families(seed=seed, anchor=demo.anchor_date, clinics=clinics, children=children):
            batch.append(family)
            drawn += len(family.children)
            if len(batch) >= BATCH_FAMILIES:
                with transaction.atomic():
                    _insert(batch)
                batch = []
                if progress:
                    progress(drawn)
        if batch:
            with transaction.atomic():
                _insert(batch)
            if progress:
                progress(drawn)
        after = _counts()
        report.created = {name: after[name] - before[name] for name in COUNTED}
        context = DemoContext(seed=seed, anchor_date=demo.anchor_date, network=network, clinics=clinics)
        for extend in DEMO_EXTENSIONS:
            extend(context, report)
    with connection.cursor() as cursor:
        # Fresh statistics, so the query planner picks the per-child indexes after a bulk load.
        cursor.execute("ANALYZE")
    report.seconds = time.perf_counter() - started
    return report
