"""De-identified counts for the TA center: numbers per clinic, never a record about a person.

Counts under the small-cell threshold are suppressed, as public health agencies do (CMS cell
size suppression policy: no cell of 1 to 10), so that a count cannot point at a family.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

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


def network_clinic_counts(*, network: Network) -> list[ClinicCounts]:
    clinics = list(Clinic.objects.filter(network=network).order_by("name"))
    with clinics_scope(clinics):
        children = dict(
            Child.objects.filter(merged_into__isnull=True)
            .values_list("clinic")
            .annotate(n=Count("id"))
            .values_list("clinic", "n")
        )
        preterm = dict(
            Child.objects.filter(gestational_age_days__lt=PRETERM_BEFORE.total_days, merged_into__isnull=True)
            .values_list("clinic")
            .annotate(n=Count("id"))
            .values_list("clinic", "n")
        )
        caregivers = dict(
            Caregiver.objects.values_list("clinic").annotate(n=Count("id")).values_list("clinic", "n")
        )
    staff = dict(
        Membership.objects.filter(clinic__in=clinics, active=True)
        .values_list("clinic")
        .annotate(n=Count("user", distinct=True))
        .values_list("clinic", "n")
    )
    return [
        ClinicCounts(
            clinic=c,
            children=suppress(children.get(c.pk, 0)),
            caregivers=suppress(caregivers.get(c.pk, 0)),
            preterm=suppress(preterm.get(c.pk, 0)),
            staff=staff.get(c.pk, 0),
        )
        for c in clinics
    ]
