"""Reads of visit adherence, permission-checked (the outreach list is in ``outreach.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from dyadcare.adherence.models import Reminder, ReminderChoice, ReminderSettings
from dyadcare.adherence.needs import OutreachList, outreach_list
from dyadcare.adherence.outreach import ChildOutreach, child_outreach
from dyadcare.adherence.permissions import AdherencePerm
from dyadcare.adherence.reminders import clinic_plan
from dyadcare.adherence.rules import ReminderPlan
from dyadcare.families.models import Caregiver
from dyadcare.tenancy.actor import Actor
from dyadcare.touchpoints.models import Visit

__all__ = [
    "ChildOutreach",
    "OutreachList",
    "ReminderSettingsView",
    "child_outreach",
    "outreach_list",
    "reminder_choices",
    "reminder_settings",
    "visit_reminders",
]


def reminder_choices(*, actor: Actor, caregiver: Caregiver) -> list[ReminderChoice]:
    """A caregiver's reminder choices, newest (in force) first, with who recorded each (read
    with the caregiver, whose opening the caller audits)."""
    actor.require(AdherencePerm.OUTREACH)
    return list(ReminderChoice.objects.filter(caregiver=caregiver).select_related("recorded_by"))


def visit_reminders(*, actor: Actor, visit: Visit) -> list[Reminder]:
    """The reminders of one visit, newest first (read with the visit)."""
    actor.require(AdherencePerm.OUTREACH)
    return list(Reminder.objects.filter(visit=visit).select_related("caregiver"))


@dataclass
class ReminderSettingsView:
    plan: ReminderPlan
    own: ReminderSettings | None  # None: the data file's defaults apply


def reminder_settings(*, actor: Actor) -> ReminderSettingsView:
    actor.require(AdherencePerm.CONFIGURE)
    return ReminderSettingsView(
        plan=clinic_plan(), own=ReminderSettings.objects.select_related("updated_by").first()
    )
