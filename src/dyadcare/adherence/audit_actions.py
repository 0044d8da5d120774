"""What the audit log says of visit adherence, in the domain's own words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.auditactions import action


class AdherenceAction:
    REMINDER_SENT = action("adherence.reminder_sent", _("Sent a visit reminder (or recorded why not)"))
    OPT_OUT_SET = action("adherence.opt_out_set", _("Recorded a caregiver's choice about visit reminders"))
    OUTREACH_LOGGED = action("adherence.outreach_logged", _("Logged an outreach attempt"))
    SETTINGS_CHANGED = action("adherence.settings_changed", _("Changed the clinic's visit reminder settings"))
