"""Roles, and the registry of permissions that each domain declares.

A staff member holds one or more roles in a clinic (or, for TA-center roles, in a network).
Each domain app declares its own permissions in its ``permissions`` module, as a
:class:`PermissionSet` naming the roles that hold each one; tenancy only keeps the registry.
A view states the one permission it needs, and a test walks every URL pattern to prove that
the rule holds.

    class ScreeningPerm:
        MANAGE = permission("screening.manage", _("Start screenings …"), roles=CARE_TEAM)

    ScreeningPerm.MANAGE == "screening.manage"   # declared, registered, and its code
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", _("Front desk")
    PEDIATRIC_CLINICIAN = "pediatric_clinician", _("Pediatric clinician")
    DYADIC_SPECIALIST = "dyadic_specialist", _("Dyadic specialist")
    FAMILY_PARTNER = "family_partner", _("Family partner / community health worker")
    BILLING = "billing", _("Billing")
    CLINIC_ADMIN = "clinic_admin", _("Clinic administrator")
    NETWORK_COACH = "network_coach", _("Network coach")
    NETWORK_ADMIN = "network_admin", _("Network administrator")


CLINIC_ROLES = frozenset(
    {
        Role.FRONT_DESK,
        Role.PEDIATRIC_CLINICIAN,
        Role.DYADIC_SPECIALIST,
        Role.FAMILY_PARTNER,
        Role.BILLING,
        Role.CLINIC_ADMIN,
    }
)
NETWORK_ROLES = frozenset({Role.NETWORK_COACH, Role.NETWORK_ADMIN})

# Groups of roles that domains grant permissions to.
CLINICIANS = frozenset({Role.PEDIATRIC_CLINICIAN, Role.DYADIC_SPECIALIST})
# Everyone who works with families at the clinic (billing works with claims, not families).
CARE_TEAM = CLINICIANS | {Role.FRONT_DESK, Role.FAMILY_PARTNER, Role.CLINIC_ADMIN}
# Everyone who needs to find a family's record: the care team and billing.
CLINIC_STAFF = CARE_TEAM | {Role.BILLING}


@dataclass(frozen=True)
class Permission:
    """One thing a person may do: a namespaced code (``screening.manage``), what it allows in
    words, and the roles that hold it. ``scope``: held in a clinic or in a network."""

    code: str
    label: str | Promise
    roles: frozenset[str]
    scope: Literal["clinic", "network"] = "clinic"

    def __post_init__(self) -> None:
        allowed = CLINIC_ROLES if self.scope == "clinic" else NETWORK_ROLES
        unknown = set(self.roles) - allowed
        if unknown:
            raise ValueError(f"{self.code}: {sorted(unknown)} are not {self.scope} roles")
        if "." not in self.code:
            raise ValueError(f"{self.code}: a permission code is namespaced, e.g. 'screening.manage'")


_REGISTRY: dict[str, Permission] = {}
_BY_ROLE: dict[str, frozenset[str]] = {}


def register(permission: Permission) -> str:
    """Add a permission to the registry (domains do it through :class:`PermissionSet`)."""
    known = _REGISTRY.get(permission.code)
    if known is not None and known != permission:
        raise ValueError(f"permission {permission.code} is declared twice")
    _REGISTRY[permission.code] = permission
    _BY_ROLE.clear()
    return permission.code


def permission(
    code: str,
    label: str | Promise,
    *,
    roles: Iterable[str],
    scope: Literal["clinic", "network"] = "clinic",
) -> str:
    """Declare a permission (in a domain's ``permissions`` module) and return its code, the
    string a view and ``Actor.can`` take."""
    return register(Permission(code, label, frozenset(roles), scope))


def all_permissions() -> dict[str, Permission]:
    """Every declared permission by code (every app's ``permissions`` module is imported when
    Django starts)."""
    return dict(_REGISTRY)


def role_permissions(role: str) -> frozenset[str]:
    """The codes ``role`` holds."""
    if not _BY_ROLE:
        table: dict[str, set[str]] = {r: set() for r in Role.values}
        for permission in _REGISTRY.values():
            for holder in permission.roles:
                table[holder].add(permission.code)
        _BY_ROLE.update({r: frozenset(codes) for r, codes in table.items()})
    return _BY_ROLE[role]


def permissions_for(roles: Iterable[str]) -> frozenset[str]:
    """The union of the permissions of ``roles``."""
    granted: set[str] = set()
    for role in roles:
        granted |= role_permissions(role)
    return frozenset(granted)


def label_of(code: str) -> str:
    permission = _REGISTRY.get(code)
    return str(permission.label) if permission else code
