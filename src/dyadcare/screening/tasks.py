"""Escalating a safety alert nobody has acknowledged: after DYADCARE_ALERT_ESCALATION_MINUTES
(15 by default) the clinic's administrators are told, on every page and by email.

Raising an alert queues ``escalate_overdue_alerts`` for its clinic to run when the delay has
passed; ``dyadcare worker`` runs the queue (``dyadcare serve`` starts one) and also sweeps
every clinic each minute, so an alert escalates on time even if its queued job was lost.
Reads never escalate: the banner and the alerts page only show what the worker did.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.entry import clinic_job

logger = logging.getLogger("dyadcare.screening")


@task()
@clinic_job
def escalate_overdue_alerts(actor: Actor) -> int:
    """Escalate the clinic's alerts still open after the delay (runs in the clinic's scope)."""
    from dyadcare.screening.services import alerts_escalate

    return len(alerts_escalate(actor=actor))


def schedule_escalation(clinic_id: uuid.UUID) -> None:
    run_after = timezone.now() + timedelta(minutes=settings.ALERT_ESCALATION_MINUTES, seconds=5)
    try:
        escalate_overdue_alerts.using(run_after=run_after).enqueue(str(clinic_id))
    except Exception:
        # The worker's sweep still escalates; a queue problem must not lose the family's answers.
        logger.exception("could not queue the alert escalation of clinic %s", clinic_id)


def sweep_every_clinic() -> int:
    """Escalate overdue alerts in every clinic (the worker runs this every minute)."""
    from dyadcare.tenancy.selectors import all_clinic_ids

    return sum(escalate_overdue_alerts.call(str(clinic_id)) for clinic_id in all_clinic_ids())
