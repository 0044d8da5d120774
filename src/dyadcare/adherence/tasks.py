"""Background work of visit adherence, run by ``dyadcare worker``: each minute's sweep sends
the visit reminders due in every clinic (see ``reminders.py`` for the rules) and refreshes the
outreach needs of every clinic not yet refreshed today (see ``needs.py``)."""

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


@task()
@clinic_job
def refresh_outreach_needs(actor: Actor) -> int:
    """Work out the clinic's outreach needs again if not done today (dates roll); returns the
    children on the list, or 0 when the clinic was refreshed today already."""
    from dyadcare.adherence.needs import needs_refresh

    assert actor.clinic is not None
    return needs_refresh(clinic=actor.clinic, only_if_stale=True) or 0


def sweep_every_clinic() -> int:
    """Send the reminders due now in every clinic (the worker runs this every minute)."""
    from dyadcare.tenancy.selectors import all_clinic_ids

    return sum(send_visit_reminders.call(str(clinic_id)) for clinic_id in all_clinic_ids())


def refresh_every_clinic() -> int:
    """Refresh the outreach needs of every clinic not refreshed today (the worker runs this
    every minute; a clinic refreshed today costs one query)."""
    from dyadcare.tenancy.selectors import all_clinic_ids

    return sum(refresh_outreach_needs.call(str(clinic_id)) for clinic_id in all_clinic_ids())
