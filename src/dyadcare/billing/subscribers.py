"""What billing does when screening or care announce their work: it re-evaluates the child's
claim lines (a source's lines are updated or voided, never doubled). Nothing calls billing;
it listens. A listener's failure is logged by the event bus and never undoes the work that
emitted the event; ``dyadcare``'s ``lines_refresh`` service catches up."""

from __future__ import annotations

import uuid

from django.db import transaction

from dyadcare.billing.internal.derive import derive
from dyadcare.care.events import ServiceLogged, ServiceRevised, ServiceVoided
from dyadcare.screening.events import FlagResolved, ResultRecorded
from dyadcare.screening.models import Flag
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.entry import clinic_job
from dyadcare.tenancy.events import subscribe


@clinic_job
def rederive_child(actor: Actor, child_id: str) -> None:
    """Re-evaluate one child's lines, as the system, in the clinic's scope."""
    assert actor.clinic is not None
    with transaction.atomic():
        derive(clinic=actor.clinic, child_ids=[uuid.UUID(child_id)])


@clinic_job
def rederive_for_flag(actor: Actor, flag_id: str) -> None:
    """A resolved follow-up may be the documented follow-up plan a maternal screen needs."""
    child_id = Flag.objects.filter(pk=uuid.UUID(flag_id)).values_list("child_id", flat=True).first()
    if child_id is not None:
        assert actor.clinic is not None
        with transaction.atomic():
            derive(clinic=actor.clinic, child_ids=[child_id])


@subscribe(ResultRecorded)
def on_result(event: ResultRecorded) -> None:
    rederive_child(str(event.clinic_id), str(event.child_id))


@subscribe(FlagResolved)
def on_flag_resolved(event: FlagResolved) -> None:
    rederive_for_flag(str(event.clinic_id), str(event.flag_id))


@subscribe(ServiceLogged)
def on_service_logged(event: ServiceLogged) -> None:
    rederive_child(str(event.clinic_id), str(event.child_id))


@subscribe(ServiceRevised)
def on_service_revised(event: ServiceRevised) -> None:
    rederive_child(str(event.clinic_id), str(event.child_id))


@subscribe(ServiceVoided)
def on_service_voided(event: ServiceVoided) -> None:
    rederive_child(str(event.clinic_id), str(event.child_id))
