"""De-identified counts for the TA center: numbers per clinic, never a record about a person.

Counts under the small-cell threshold are suppressed, as public health agencies do (CMS cell
size suppression policy: no cell of 1 to 10), so that a count cannot point at a family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, QuerySet

from dyadcare.families.models import Caregiver, Child
from dyadcare.families.rules import PRETERM_BEFORE
from dyadcare.tenancy.models import Clinic, Membership, Network
from dyadcare.tenancy.scope import clinics_scope

SMALL_CELL = 11  # CMS cell size suppression policy: suppress counts from 1 to 10


@dataclass(frozen=True)
class ClinicCounts:
    clinic: Clinic
    children: int | None
    caregivers: int | None
    preterm: int | None
    staff: int


def suppress(count: int) -> int | None:
    """None (shown as "fewer than 11") for a count from 1 to 10."""
    return None if 0 < count < SMALL_CELL else count


# The per-clinic counts are kept in the cache (``cached_counts``) and dropped, once the change
# commits, when a child or caregiver of the clinic is saved or deleted (``apps.py`` connects
# ``forget_clinic_counts``). A change that sends no signal (a bulk update, another process's
# local cache) is caught up within ``COUNTS_SECONDS``.
COUNTS_SECONDS = 300


def _key(clinic_id: object) -> str:
    return f"dyadcare:clinic-counts:{clinic_id}"


def forget_clinic_counts(clinic_id: object) -> None:
    """Drop a clinic's cached counts once the current transaction commits."""
    transaction.on_commit(lambda: cache.delete(_key(clinic_id)))


def record_changed(sender: object, instance: Child | Caregiver, **_kwargs: object) -> None:
    """A child or caregiver was saved or deleted: its clinic's counts are counted again."""
    forget_clinic_counts(instance.clinic_id)


def _counted(clinics: list[Clinic]) -> dict[object, tuple[int, int, int]]:
    """(children, caregivers, preterm) per clinic: from the cache, the missing ones counted
    together (three grouped queries, whatever the number of clinics)."""
    found = cache.get_many([_key(c.pk) for c in clinics])
    counts: dict[object, tuple[int, int, int]] = {
        c.pk: found[_key(c.pk)] for c in clinics if _key(c.pk) in found
    }
    missing = [c for c in clinics if c.pk not in counts]
    if missing:
        with clinics_scope(missing):
            children = _by_clinic(Child.objects.filter(merged_into__isnull=True))
            preterm = _by_clinic(
                Child.objects.filter(
                    gestational_age_days__lt=PRETERM_BEFORE.total_days, merged_into__isnull=True
                )
            )
            caregivers = _by_clinic(Caregiver.objects.all())
        fresh: dict[object, tuple[int, int, int]] = {
            c.pk: (children.get(c.pk, 0), caregivers.get(c.pk, 0), preterm.get(c.pk, 0)) for c in missing
        }
        cache.set_many({_key(pk): value for pk, value in fresh.items()}, COUNTS_SECONDS)
        counts.update(fresh)
    return counts


def _by_clinic(rows: QuerySet[Any]) -> dict[object, int]:
    return dict(rows.values_list("clinic").annotate(n=Count("id")).values_list("clinic", "n"))


def network_clinic_counts(*, network: Network) -> list[ClinicCounts]:
    """Each clinic of the network with its de-identified counts (small cells suppressed)."""
    clinics = list(Clinic.objects.filter(network=network).order_by("name"))
    counted = _counted(clinics)
    staff = dict(
        Membership.objects.filter(clinic__in=clinics, active=True)
        .values_list("clinic")
        .annotate(n=Count("user", distinct=True))
        .values_list("clinic", "n")
    )
    return [
        ClinicCounts(
            clinic=c,
            children=suppress(counted[c.pk][0]),
            caregivers=suppress(counted[c.pk][1]),
            preterm=suppress(counted[c.pk][2]),
            staff=staff.get(c.pk, 0),
        )
        for c in clinics
    ]
