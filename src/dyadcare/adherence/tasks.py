"""Visit reminders, sent by ``dyadcare worker``: each minute's sweep runs
``send_visit_reminders`` for every clinic (see ``reminders.py`` for the rules)."""

from __future__ import annotations

from django_tasks import task

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.entry import clinic_job


@task()
@clinic_job
def send_visit_reminders(actor: Actor) -> int:
    """Send the clinic's reminders due now (runs in the clinic's scope)."""
    from dyadcare.adherence.reminders import reminders_send

    return len(reminders_send(actor=actor))


def sweep_every_clinic() -> int:
    """Send the reminders due now in every clinic (the worker runs this every minute)."""
    from dyadcare.tenancy.selectors import all_clinic_ids

    return sum(send_visit_reminders.call(str(clinic_id)) for clinic_id in all_clinic_ids())
