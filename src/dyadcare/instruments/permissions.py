"""What the instruments domain lets people do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.roles import CLINIC_STAFF, Role, permission


class InstrumentPerm:
    VIEW = permission(
        "instruments.view", _("See the screening instruments, their scoring and sources"), roles=CLINIC_STAFF
    )
    MANAGE = permission(
        "instruments.manage",
        _("Load licensed instrument text and change instrument settings"),
        roles=frozenset({Role.CLINIC_ADMIN}),
    )
