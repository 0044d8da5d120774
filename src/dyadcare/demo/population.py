"""The synthetic population's shape, read from ``data/population.json``."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TypeVar

from dyadcare.clinicaldata import Provenance, load

T = TypeVar("T")


@dataclass(frozen=True)
class GestationalAgeBand:
    weeks: tuple[int, int] | None  # completed weeks, lowest and highest; None: not recorded
    weight: int
    label: str


@dataclass(frozen=True)
class Population:
    """``data/population.json``, typed; ``provenance`` by section of the file."""

    race_ethnicity_weights: Mapping[str, int]
    spanish_speaking_share_of_hispanic_families: float
    asian_languages: Mapping[str, int]
    mena_languages: Mapping[str, int]
    gestational_age_bands: tuple[GestationalAgeBand, ...]
    second_caregiver_share: float
    grandparent_share: float
    children_per_family_weights: Mapping[str, int]
    medi_cal_share: float
    sms_consent_share: float
    email_share: float
    clinic_weights: tuple[int, ...]
    names: Mapping[str, tuple[str, ...]]
    provenance: Mapping[str, Provenance] = field(compare=False, repr=False)


@cache
def population() -> Population:
    data = load("population")
    languages, caregivers, families = data["languages"], data["caregivers"], data["families"]
    return Population(
        race_ethnicity_weights=data["race_ethnicity"]["weights"],
        spanish_speaking_share_of_hispanic_families=languages["spanish_speaking_share_of_hispanic_families"],
        asian_languages=languages["asian"],
        mena_languages=languages["mena"],
        gestational_age_bands=tuple(
            GestationalAgeBand(
                weeks=(band["weeks"][0], band["weeks"][1]) if band["weeks"] else None,
                weight=band["weight"],
                label=band["label"],
            )
            for band in data["gestational_age"]["bands"]
        ),
        second_caregiver_share=caregivers["second_caregiver_share"],
        grandparent_share=caregivers["grandparent_share"],
        children_per_family_weights=families["children_per_family_weights"],
        medi_cal_share=families["medi_cal_share"],
        sms_consent_share=families["sms_consent_share"],
        email_share=families["email_share"],
        clinic_weights=families["clinic_weights"],
        names=data["names"],
        provenance={
            section: data.provenance(data[section])
            for section in ("race_ethnicity", "languages", "gestational_age", "caregivers", "families")
        },
    )


def weighted(rng: random.Random, weights: Mapping[str, int] | Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]
