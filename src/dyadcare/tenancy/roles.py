"""Roles and permissions, declared in code.

A staff member holds one or more roles in a clinic (or, for TA-center roles, in a network).
What a role may do is the set of permissions below; a view states the one permission it
needs, and a test walks every URL pattern to prove that the rule holds.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
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


class Perm(models.TextChoices):
    """What a person may do. Clinic permissions apply inside one clinic's scope; network
    permissions apply to a network's de-identified aggregates and its configuration."""

    FAMILY_VIEW = "family.view", _("See children, caregivers and households")
    FAMILY_EDIT = "family.edit", _("Register and edit children, caregivers and households")
    VISIT_MANAGE = "visit.manage", _("Book visits, check families in, close and import visits")
    SCHEDULE_CONFIGURE = "schedule.configure", _("Choose the clinic's screening instruments per visit")
    AUDIT_VIEW = "audit.view", _("Search and export the clinic's audit log")
    STAFF_VIEW = "staff.view", _("See the clinic's staff and their roles")
    INSTRUMENTS_VIEW = "instruments.view", _("See the screening instruments, their scoring and sources")
    INSTRUMENTS_MANAGE = (
        "instruments.manage",
        _("Load licensed instrument text and change instrument settings"),
    )
    SCREENING_MANAGE = (
        "screening.manage",
        _("Start screenings, send family links, open the tablet, enter staff-scored results"),
    )
    SCREENING_VIEW = "screening.view", _("See screening results about the child in full")
    SCREENING_VIEW_PSY = "screening.view_psy", _("See caregiver mental health results (PSY)")
    SCREENING_VIEW_ETH = "screening.view_eth", _("See caregiver substance use results (ETH)")
    SCREENING_VIEW_SDV = "screening.view_sdv", _("See interpersonal violence and abuse results (SDV)")
    SCREENING_VIEW_SOC = "screening.view_soc", _("See social needs results (SOC)")
    ALERT_ACKNOWLEDGE = "alert.acknowledge", _("Acknowledge safety alerts and close follow-up flags")
    NETWORK_AGGREGATE_VIEW = "network.aggregate_view", _("See de-identified network figures")
    NETWORK_MANAGE = "network.manage", _("Manage the network's clinics")


_CARE_TEAM = frozenset(
    {
        Perm.FAMILY_VIEW,
        Perm.FAMILY_EDIT,
        Perm.STAFF_VIEW,
        Perm.VISIT_MANAGE,
        Perm.INSTRUMENTS_VIEW,
        Perm.SCREENING_MANAGE,
    }
)
# Licensed clinicians see every result, the caregiver's own included.
_CLINICIAN = _CARE_TEAM | {
    Perm.SCREENING_VIEW,
    Perm.SCREENING_VIEW_PSY,
    Perm.SCREENING_VIEW_ETH,
    Perm.SCREENING_VIEW_SDV,
    Perm.SCREENING_VIEW_SOC,
    Perm.ALERT_ACKNOWLEDGE,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Front desk books, checks in and hands out the tablet; of results it sees only what a
    # claim needs (which screen, when, positive or not).
    Role.FRONT_DESK: _CARE_TEAM,
    Role.PEDIATRIC_CLINICIAN: _CLINICIAN,
    Role.DYADIC_SPECIALIST: _CLINICIAN,
    # Family partners and community health workers work on social needs and safety planning,
    # not on the caregiver's mental health or substance use.
    Role.FAMILY_PARTNER: _CARE_TEAM | {Perm.SCREENING_VIEW, Perm.SCREENING_VIEW_SOC, Perm.SCREENING_VIEW_SDV},
    # Billing sees who a claim is for (name, birth date, Medi-Cal ID) but registers no one.
    Role.BILLING: frozenset({Perm.FAMILY_VIEW, Perm.STAFF_VIEW, Perm.INSTRUMENTS_VIEW}),
    # The clinic administrator receives escalated alerts and may acknowledge one (saying who
    # was called), but sees results only as a claim would.
    Role.CLINIC_ADMIN: _CARE_TEAM
    | {Perm.AUDIT_VIEW, Perm.SCHEDULE_CONFIGURE, Perm.INSTRUMENTS_MANAGE, Perm.ALERT_ACKNOWLEDGE},
    # TA-center roles never see a record about a person: aggregates only.
    Role.NETWORK_COACH: frozenset({Perm.NETWORK_AGGREGATE_VIEW}),
    Role.NETWORK_ADMIN: frozenset({Perm.NETWORK_AGGREGATE_VIEW, Perm.NETWORK_MANAGE}),
}


def permissions_for(roles: Iterable[str]) -> frozenset[str]:
    """The union of the permissions of ``roles``."""
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)
