"""The instruments a clinic uses: the bundled library with the clinic's licensed item text and
parameter values applied. The screening sessions call this; views read through it too.

    from dyadcare.instruments.internal import registry
    phq9 = registry.get("phq9", clinic=clinic)
    result = engine.score(phq9, engine.parse_answers(phq9, answers), language="es")
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from dyadcare.instruments.engine import DefinitionError, Instrument, load_library
from dyadcare.instruments.engine.library import Library
from dyadcare.instruments.models import ClinicItemText, ClinicParameter
from dyadcare.tenancy.models import Clinic

logger = logging.getLogger(__name__)


def library() -> Library:
    return load_library()


def _apply(instrument: Instrument, texts: list[ClinicItemText], overrides: dict[str, Any]) -> Instrument:
    for row in texts:
        try:
            instrument = instrument.with_text(row.language, row.texts(), row.option_labels())
        except DefinitionError:
            # Loaded for an earlier version of the instrument: ignored until loaded again.
            logger.warning(
                "clinic text for %s (%s) no longer fits the instrument", row.instrument_id, row.language
            )
    if overrides:
        instrument = instrument.with_overrides(overrides)
    return instrument


def get(instrument_id: str, *, clinic: Clinic | None = None, age: int | None = None) -> Instrument:
    """One instrument as ``clinic`` uses it (raises engine.InputError if unknown)."""
    instrument = library().get(instrument_id, age=age)
    if clinic is None:
        return instrument
    texts = list(ClinicItemText.objects.filter(clinic=clinic, instrument_id=instrument.id))
    overrides = {
        p.name: p.value
        for p in ClinicParameter.objects.filter(clinic=clinic, instrument_id=instrument.id)
        if p.name in instrument.parameters
    }
    return _apply(instrument, texts, overrides)


def all_for(clinic: Clinic | None = None) -> list[Instrument]:
    """Every instrument (contract ids, then the milestone checklists) as ``clinic`` uses it."""
    lib = library()
    ids = [i for i in lib.ids(with_ages=True) if i in lib.instruments]
    if clinic is None:
        return [lib.instruments[i] for i in ids]
    texts: dict[str, list[ClinicItemText]] = defaultdict(list)
    for row in ClinicItemText.objects.filter(clinic=clinic):
        texts[row.instrument_id].append(row)
    overrides: dict[str, dict[str, Any]] = defaultdict(dict)
    for param in ClinicParameter.objects.filter(clinic=clinic):
        overrides[param.instrument_id][param.name] = param.value
    result = []
    for ident in ids:
        instrument = lib.instruments[ident]
        known = {k: v for k, v in overrides.get(ident, {}).items() if k in instrument.parameters}
        result.append(_apply(instrument, texts.get(ident, []), known))
    return result
