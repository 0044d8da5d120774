"""Who is acting: the person (or system job), their roles and clinic, and where from."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from dyadcare.tenancy.models import Clinic, Network, User
from dyadcare.tenancy.roles import CLINIC_ROLES, permissions_for


def system_permissions() -> frozenset[str]:
    """What an operator's command-line tool or a background job may do: everything a clinic
    role may do."""
    return permissions_for(CLINIC_ROLES)


@dataclass(frozen=True)
class Actor:
    """Passed to every service and selector that touches protected health information, so that
    each can check permissions and write the audit entry without seeing the HTTP request."""

    label: str
    user: User | None = None
    clinic: Clinic | None = None
    network: Network | None = None
    roles: tuple[str, ...] = ()
    ip: str | None = None
    user_agent: str = ""
    path: str = ""
    permissions: frozenset[str] = field(default=frozenset())

    @classmethod
    def for_staff(
        cls,
        user: User,
        *,
        clinic: Clinic | None,
        roles: tuple[str, ...],
        network: Network | None = None,
        ip: str | None = None,
        user_agent: str = "",
        path: str = "",
    ) -> Actor:
        return cls(
            label=user.get_username(),
            user=user,
            clinic=clinic,
            network=network or (clinic.network if clinic else None),
            roles=tuple(sorted(roles)),
            ip=ip,
            user_agent=user_agent[:300],
            path=path[:300],
            permissions=permissions_for(roles),
        )

    @classmethod
    def system(cls, label: str, *, clinic: Clinic | None = None) -> Actor:
        """A command-line tool or background job. It holds no role and is audited by name."""
        return cls(
            label=f"system:{label}",
            clinic=clinic,
            network=clinic.network if clinic else None,
            permissions=system_permissions(),
        )

    def can(self, perm: str) -> bool:
        return perm in self.permissions

    def require_clinic(self, clinic_id: object) -> None:
        """Raise ScopeError unless the record (by its clinic id) is in this actor's clinic:
        services refuse a record handed to them from another clinic, whatever the caller did."""
        from dyadcare.tenancy.scope import ScopeError

        if self.clinic is None or self.clinic.pk != clinic_id:
            raise ScopeError("The record belongs to another clinic than the actor's")

    def require(self, perm: str) -> None:
        """Raise PermissionDenied unless this actor holds ``perm``."""
        if perm not in self.permissions:
            raise PermissionDenied(perm)
