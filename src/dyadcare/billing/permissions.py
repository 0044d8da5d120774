"""What the billing domain lets people do.

Billing staff and clinic administrators see the claim lines (the worklist, a line's history,
the batches) and work them: record the fixes that release held lines (a provider's licence,
NPI or ACEs Aware attestation, a child's Medi-Cal ID), release, void and export lines. The
clinic's billing settings and rule overrides are the administrator's.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.roles import Role, permission

_BILLING_TEAM = frozenset({Role.BILLING, Role.CLINIC_ADMIN})


class BillingPerm:
    VIEW = permission(
        "billing.view",
        _("See claim lines, their reasons and history, and export batches"),
        roles=_BILLING_TEAM,
    )
    MANAGE = permission(
        "billing.manage",
        _("Release, void and export claim lines; record providers' billing details and children's coverage"),
        roles=_BILLING_TEAM,
    )
    CONFIGURE = permission(
        "billing.configure",
        _("Set the clinic's billing settings and its overrides of inferred or unverified rules"),
        roles={Role.CLINIC_ADMIN},
    )
