"""Reads of the instrument library as a clinic uses it, for the interfaces: the library list,
one instrument, its parameter history (who changed what, when and why) and the texts the
clinic loaded. Each takes the ``Actor`` and checks ``instruments.view``; the clinic is the
actor's and the reads run in its scope. Nothing here is about a person, so reads are not
audited (the pages are ``phi="none"``).

``instruments_for`` is the batch read for code that is not a page about instruments (a
family's questions, a visit's results): the clinic's set-up is not a person's record, so it
takes the clinic, not an actor, and needs that clinic's scope open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dyadcare.instruments.engine import Instrument, Parameter
from dyadcare.instruments.internal import registry
from dyadcare.instruments.internal.registry import InstrumentSet
from dyadcare.instruments.models import ClinicItemText, ClinicParameter
from dyadcare.instruments.permissions import InstrumentPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.models import Clinic

__all__ = [
    "InstrumentSet",
    "ParameterChange",
    "instrument",
    "instruments_for",
    "library",
    "parameter_history",
    "texts",
]


def _clinic(actor: Actor) -> Clinic:
    actor.require(InstrumentPerm.VIEW)
    if actor.clinic is None:
        raise PermissionDenied
    return actor.clinic


def instruments_for(
    clinic: Clinic, *, ids: Iterable[str] | None = None, at: datetime | None = None
) -> InstrumentSet:
    """The instruments ``ids`` as ``clinic`` uses them at ``at`` (now when None), read in two
    queries; ``.get(id)``, ``.copyright(id, language)``, ``.as_scored(result)``."""
    return registry.for_clinic(clinic, ids=ids, at=at)


def library(*, actor: Actor) -> list[Instrument]:
    """Every instrument (contract ids, then the milestone checklists) as the clinic uses it."""
    return list(registry.for_clinic(_clinic(actor)))


def instrument(*, actor: Actor, instrument_id: str) -> Instrument:
    """One instrument as the clinic uses it now (engine.InputError if there is none)."""
    return registry.get(instrument_id, clinic=_clinic(actor))


def texts(*, actor: Actor, instrument_id: str) -> list[ClinicItemText]:
    """The licensed texts the clinic loaded for an instrument, one per language."""
    clinic = _clinic(actor)
    with registry.in_scope_of(clinic):
        return list(ClinicItemText.objects.filter(instrument_id=instrument_id).select_related("loaded_by"))


@dataclass(frozen=True)
class ParameterChange:
    """One change of a parameter's value, as the settings page lists it."""

    name: str
    parameter: Parameter | None  # None: the library no longer has this parameter
    value: Any  # None: back to the library default
    effective_from: datetime
    changed_by: str
    reason: str
    in_force: bool  # the value in force now (the latest change in force)

    @property
    def is_reset(self) -> bool:
        return self.value is None


def parameter_history(*, actor: Actor, instrument_id: str) -> list[ParameterChange]:
    """Every change of the clinic's values of an instrument's parameters, newest first, each
    marked whether it is the value in force now."""
    clinic = _clinic(actor)
    known = registry.library().instruments.get(instrument_id)
    with registry.in_scope_of(clinic):
        rows = list(
            ClinicParameter.objects.filter(instrument_id=instrument_id)
            .select_related("changed_by")
            .order_by("-effective_from", "-id")
        )
    now = timezone.now()
    current: set[int] = set()
    seen: set[str] = set()
    for row in rows:  # newest first: the first row of a name in force now is the one in force
        if row.name not in seen and row.effective_from <= now:
            seen.add(row.name)
            current.add(row.pk)
    return [
        ParameterChange(
            name=row.name,
            parameter=known.parameters.get(row.name) if known else None,
            value=row.value,
            effective_from=row.effective_from,
            changed_by=str(row.changed_by),
            reason=row.reason,
            in_force=row.pk in current,
        )
        for row in rows
    ]
