"""What tenancy itself lets people do: see the clinic's staff, search its audit log, and the
TA center's network roles."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.roles import CLINIC_STAFF, Role, permission


class TenancyPerm:
    STAFF_VIEW = permission("staff.view", _("See the clinic's staff and their roles"), roles=CLINIC_STAFF)
    AUDIT_VIEW = permission(
        "audit.view", _("Search and export the clinic's audit log"), roles=frozenset({Role.CLINIC_ADMIN})
    )
    # TA-center roles never see a record about a person: aggregates only.
    NETWORK_AGGREGATE_VIEW = permission(
        "network.aggregate_view",
        _("See de-identified network figures"),
        roles=frozenset({Role.NETWORK_COACH, Role.NETWORK_ADMIN}),
        scope="network",
    )
    NETWORK_SECURITY_VIEW = permission(
        "network.security_view",
        _("See the security events of the network's staff (logins, lockouts, refused pages)"),
        roles=frozenset({Role.NETWORK_ADMIN}),
        scope="network",
    )
    NETWORK_MANAGE = permission(
        "network.manage",
        _("Manage the network's clinics"),
        roles=frozenset({Role.NETWORK_ADMIN}),
        scope="network",
    )
