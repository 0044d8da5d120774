"""What the visit adherence domain lets people do: the touchpoints domain's own permissions,
since reminders and outreach are about booked visits. Whoever books visits (the care team)
sees the outreach list, logs attempts and records a caregiver's reminder choice; whoever sets
the clinic's schedule (the clinic administrator) sets when reminders go out."""

from __future__ import annotations

from dyadcare.touchpoints.permissions import VisitPerm


class AdherencePerm:
    OUTREACH = VisitPerm.MANAGE
    CONFIGURE = VisitPerm.SCHEDULE_CONFIGURE
