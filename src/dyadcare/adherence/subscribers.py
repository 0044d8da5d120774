"""What adherence does when touchpoints or families announce a change: the child's stored
outreach need is worked out again (``needs.py``). A listener's failure is logged by the event
bus and never undoes the change; the clinic's daily refresh puts the row right."""

from __future__ import annotations

import uuid

from dyadcare.adherence.needs import need_refresh_child
from dyadcare.families.events import ChildChanged
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.entry import clinic_job
from dyadcare.tenancy.events import subscribe
from dyadcare.touchpoints.events import VisitChanged


@clinic_job
def refresh_child_need(actor: Actor, child_id: str) -> None:
    """Work one child's outreach need out again, as the system, in the clinic's scope."""
    assert actor.clinic is not None
    need_refresh_child(clinic_id=actor.clinic.pk, child_id=uuid.UUID(child_id))


@subscribe(VisitChanged)
def on_visit_changed(event: VisitChanged) -> None:
    refresh_child_need(str(event.clinic_id), str(event.child_id))


@subscribe(ChildChanged)
def on_child_changed(event: ChildChanged) -> None:
    refresh_child_need(str(event.clinic_id), str(event.child_id))
