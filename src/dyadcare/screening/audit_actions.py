"""What the audit log says of screening, in the domain's own words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.auditactions import action


class ScreeningAction:
    LINK_ISSUED = action("screening.link_issued", _("Issued a new family link"))
    LINK_SENT = action("screening.link_sent", _("Sent a family link"))
    DOB_CONFIRMED = action(
        "screening.dob_confirmed", _("Family confirmed the date of birth"), kind="security"
    )
    DOB_FAILED = action("screening.dob_failed", _("Wrong date of birth on a family link"), kind="security")
    LINK_CLOSED_WRONG_DATES = action(
        "screening.link_closed_wrong_dates",
        _("Family link closed after too many wrong dates of birth"),
        kind="security",
    )
    SUBMITTED = action("screening.submitted", _("Family sent the answers"))
    CLOSED = action("screening.closed", _("Closed a screening"))
    TABLET_HANDED_OVER = action(
        "screening.tablet_handed_over", _("Handed the clinic tablet to a family (the staff session ended)")
    )
    FLAG_RESOLVED = action("screening.flag_resolved", _("Acknowledged an alert or follow-up"))
    FLAG_ASSIGNED = action("screening.flag_assigned", _("Assigned who follows up an alert or follow-up"))
    ALERT_ESCALATED = action("screening.alert_escalated", _("Escalated an unacknowledged alert"))
    INSTRUMENT_ADDED = action("screening.instrument_added", _("Added an instrument to a visit"))
    DONE_ELSEWHERE = action(
        "screening.done_elsewhere", _("Recorded a screen given elsewhere (instrument, date and reason)")
    )
