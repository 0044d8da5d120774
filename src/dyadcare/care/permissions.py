"""What the care domain lets people do.

Everyone who works with families sees a family's tier, plan, tasks and service log (billing
reads the log to bill). Clinicians set tiers; clinicians and family partners agree plans,
log services and write notes; the whole care team keeps tasks. Who reads a note's text is
the screening rule for its sensitivity labels.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.roles import CARE_TEAM, CLINIC_STAFF, CLINICIANS, Role, permission

_WITH_FAMILY_PARTNERS = CLINICIANS | {Role.FAMILY_PARTNER}


class CarePerm:
    VIEW = permission(
        "care.view", _("See a family's tier, care plan, tasks and service log"), roles=CLINIC_STAFF
    )
    TIER_SET = permission("care.tier_set", _("Set a family's tier of support"), roles=CLINICIANS)
    PLAN_EDIT = permission(
        "care.plan_edit",
        _("Agree care plans and goals, log services, write notes"),
        roles=_WITH_FAMILY_PARTNERS,
    )
    TASK_MANAGE = permission("care.task_manage", _("Add, reassign and close tasks"), roles=CARE_TEAM)
    CASELOAD = permission("care.caseload", _("See my work and the caseload lists"), roles=CARE_TEAM)
