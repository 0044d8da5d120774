"""What the audit log says of care coordination, in the domain's own words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.auditactions import action


class CareAction:
    TIER_SET = action("care.tier_set", _("Set a family's tier"))
    PLAN_OPENED = action("care.plan_opened", _("Opened a care plan"))
    GOAL_ADDED = action("care.goal_added", _("Added a goal to a care plan"))
    GOAL_CLOSED = action("care.goal_closed", _("Closed a goal with its outcome"))
    TASK_ADDED = action("care.task_added", _("Added a task"))
    TASK_REASSIGNED = action("care.task_reassigned", _("Reassigned a task"))
    TASK_CLOSED = action("care.task_closed", _("Closed a task"))
    NOTE_WRITTEN = action("care.note_written", _("Wrote an encounter note"))
    SERVICE_LOGGED = action("care.service_logged", _("Logged a service"))
    SERVICE_CHANGED = action("care.service_changed", _("Changed a logged service"))
    SERVICE_VOIDED = action("care.service_voided", _("Voided a logged service"))
