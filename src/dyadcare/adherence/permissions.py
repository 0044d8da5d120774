"""What the visit adherence domain lets people do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.roles import CARE_TEAM, Role, permission


class AdherencePerm:
    OUTREACH = permission(
        "adherence.outreach",
        _("See the outreach list, log outreach attempts and record a family's reminder choice"),
        roles=CARE_TEAM,
    )
    CONFIGURE = permission(
        "adherence.configure",
        _("Choose when the clinic's visit reminders go out"),
        roles=frozenset({Role.CLINIC_ADMIN}),
    )
