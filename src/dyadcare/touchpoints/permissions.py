"""What the touchpoints domain lets people do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.roles import CARE_TEAM, Role, permission


class VisitPerm:
    MANAGE = permission(
        "visit.manage", _("Book visits, check families in, close and import visits"), roles=CARE_TEAM
    )
    SCHEDULE_CONFIGURE = permission(
        "schedule.configure",
        _("Choose the clinic's screening instruments per visit"),
        roles=frozenset({Role.CLINIC_ADMIN}),
    )
