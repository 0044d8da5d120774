"""What screening does when its own events happen: a safety alert queues its escalation."""

from __future__ import annotations

from dyadcare.screening.events import FlagRaised
from dyadcare.screening.models import Flag
from dyadcare.tenancy.events import subscribe


@subscribe(FlagRaised)
def queue_escalation(event: FlagRaised) -> None:
    if event.severity == Flag.Severity.ALERT:
        from dyadcare.screening.tasks import schedule_escalation

        schedule_escalation(event.clinic_id)
