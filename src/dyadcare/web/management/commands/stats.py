"""``dyadcare stats``: counts of the main records, as one JSON object."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from dyadcare.families.models import Caregiver, CareRelationship, Child, Household
from dyadcare.tenancy.models import AuditEvent, Clinic, Membership, Network, User
from dyadcare.tenancy.scope import unscoped


def record_counts() -> dict[str, int]:
    with unscoped("record counts for operators: numbers only, no record content"):
        return {
            "networks": Network.objects.count(),
            "clinics": Clinic.objects.count(),
            "staff": User.objects.filter(memberships__active=True).distinct().count(),
            "memberships": Membership.objects.filter(active=True).count(),
            "households": Household.objects.count(),
            "children": Child.objects.count(),
            "caregivers": Caregiver.objects.count(),
            "care_relationships": CareRelationship.objects.count(),
            "audit_events": AuditEvent.objects.count(),
        }


class Command(BaseCommand):
    help = "Print counts of the main records as one JSON object."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(record_counts(), sort_keys=True))
