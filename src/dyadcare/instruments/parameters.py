"""The parameter values an instrument scores with, as plain data: what a screening result
stores, and the instrument rebuilt from what a result stored. Pure Python, like the engine.

    values = parameters.values_of(instrument)        # {"positive_at_least": 3}, defaults included
    as_then = parameters.with_values(library_instrument, values)
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from typing import Any

from dyadcare.instruments.engine import DefinitionError, Instrument

logger = logging.getLogger(__name__)


def values_of(instrument: Instrument) -> dict[str, Any]:
    """Every configurable parameter of ``instrument`` with the value it scores with: the
    clinic's value where one is applied, else the library default (language variants such as
    ``positive_at_least_es`` are parameters of their own)."""
    return {
        name: copy.deepcopy(instrument.overrides.get(name, parameter.default))
        for name, parameter in instrument.parameters.items()
    }


def with_values(instrument: Instrument, values: Mapping[str, Any]) -> Instrument:
    """``instrument`` (without a clinic's values) with the parameter values of ``values``
    applied. Values equal to the default are left as the default; a name the instrument no
    longer has, or a value that no longer fits it (the library changed since), is skipped and
    logged, and the default applies."""
    for name, value in values.items():
        parameter = instrument.parameters.get(name)
        if parameter is None:
            logger.warning("%s: stored parameter %s is no longer in the library", instrument.id, name)
            continue
        if value is None or value == parameter.default:
            continue
        try:
            instrument = instrument.with_overrides({name: value})
        except DefinitionError:
            logger.warning("%s: stored value of %s no longer fits the instrument", instrument.id, name)
    return instrument
