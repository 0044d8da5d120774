"""What the families domain lets people do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.roles import CARE_TEAM, CLINIC_STAFF, Role, permission


class FamilyPerm:
    # Billing sees who a claim is for (name, birth date, Medi-Cal ID) but registers no one.
    VIEW = permission("family.view", _("See children, caregivers and households"), roles=CLINIC_STAFF)
    EDIT = permission(
        "family.edit", _("Register and edit children, caregivers and households"), roles=CARE_TEAM
    )
    MERGE = permission(
        "family.merge",
        _("Merge two records of one child, and undo a merge"),
        roles=frozenset({Role.CLINIC_ADMIN}),
    )
