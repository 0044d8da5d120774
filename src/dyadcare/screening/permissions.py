"""What the screening domain lets people do.

Licensed clinicians see every result, the caregiver's own included. Family partners and
community health workers work on social needs and safety planning, not on the caregiver's
mental health or substance use. Front desk, billing and the clinic administrator see of a
result what a claim needs (which screen, when, positive or not); the administrator receives
escalated alerts and may acknowledge one, saying who was called.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.roles import CARE_TEAM, CLINICIANS, Role, permission

_WITH_FAMILY_PARTNERS = CLINICIANS | {Role.FAMILY_PARTNER}


class ScreeningPerm:
    MANAGE = permission(
        "screening.manage",
        _("Start screenings, send family links, open the tablet, enter staff-scored results"),
        roles=CARE_TEAM,
    )
    VIEW = permission(
        "screening.view", _("See screening results about the child in full"), roles=_WITH_FAMILY_PARTNERS
    )
    VIEW_PSY = permission(
        "screening.view_psy", _("See caregiver mental health results (PSY)"), roles=CLINICIANS
    )
    VIEW_ETH = permission(
        "screening.view_eth", _("See caregiver substance use results (ETH)"), roles=CLINICIANS
    )
    VIEW_SDV = permission(
        "screening.view_sdv",
        _("See interpersonal violence and abuse results (SDV)"),
        roles=_WITH_FAMILY_PARTNERS,
    )
    VIEW_SOC = permission(
        "screening.view_soc", _("See social needs results (SOC)"), roles=_WITH_FAMILY_PARTNERS
    )
    ALERT_ACKNOWLEDGE = permission(
        "alert.acknowledge",
        _("Acknowledge safety alerts and close follow-up flags"),
        roles=CLINICIANS | {Role.CLINIC_ADMIN},
    )
