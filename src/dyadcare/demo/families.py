"""Invented families: children, caregivers, households and who cares for whom.

Each family is drawn from its own random stream, seeded by the demo seed and the family's
number, and every record's id is derived from the same two: so a seed always gives the same
families, a larger ``--children`` only adds families, and a second run adds nothing.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from dyadcare.demo.population import pick, population, weighted
from dyadcare.families.choices import Relationship
from dyadcare.families.models import Caregiver, CareRelationship, Child, Household
from dyadcare.families.rules import search_key
from dyadcare.tenancy.models import Clinic

NAMESPACE = uuid.UUID("6f2b1f0e-3c59-4c55-9a7e-2f8d0c1d9e11")
MAX_YOUNGEST_AGE_DAYS = 42 * 30  # the youngest child of a family is under about 3.5 years
AREA_CODES = ["510", "559", "209", "323", "213", "619", "408", "916", "714", "661"]


def record_id(seed: int, kind: str, *parts: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join([str(seed), kind, *map(str, parts)]))


@dataclass
class FamilyRows:
    household: Household
    children: list[Child] = field(default_factory=list)
    caregivers: list[Caregiver] = field(default_factory=list)
    links: list[CareRelationship] = field(default_factory=list)


def _names(background: str) -> tuple[str, str]:
    if background == "hispanic":
        return "hispanic", "hispanic"
    if background in ("asian", "mena"):
        return background, background
    return "english", "english"


def _language(rng: random.Random, background: str) -> str:
    shape = population()
    if background == "hispanic":
        return "es" if rng.random() < shape.spanish_speaking_share_of_hispanic_families else "en"
    if background == "asian":
        return weighted(rng, shape.asian_languages)
    if background == "mena":
        return weighted(rng, shape.mena_languages)
    return "en"


def _race_codes(rng: random.Random, background: str) -> tuple[list[str], str]:
    if background == "multi":
        pair = pick(
            rng,
            [
                ["black", "white"],
                ["hispanic", "white"],
                ["asian", "white"],
                ["black", "hispanic"],
                ["aian", "hispanic"],
            ],
        )
        return sorted(pair), ""
    detail = ""
    if background == "hispanic":
        detail = pick(rng, ["Mexican", "Mexican", "Mexican", "Salvadoran", "Guatemalan", "Honduran", ""])
    elif background == "asian":
        detail = pick(rng, ["Vietnamese", "Chinese", "Filipino", "Korean", "Hmong", ""])
    return [background], detail


def _gestational_age_days(rng: random.Random) -> int | None:
    bands = population().gestational_age_bands
    band = rng.choices(bands, weights=[b.weight for b in bands])[0]
    if band.weeks is None:
        return None
    low, high = band.weeks
    return rng.randint(low, high) * 7 + rng.randint(0, 6)


def _phone(rng: random.Random) -> str:
    # 555-0100 to 555-0199 are reserved for fiction in the North American Numbering Plan.
    return f"+1{pick(rng, AREA_CODES)}5550{rng.randint(100, 199)}"


def _person_fields(given: str, family: str) -> dict[str, str]:
    return {"given_name": given, "family_name": family, "search_name": search_key(f"{family} {given}")}


@dataclass(frozen=True)
class FamilyTraits:
    """What the members of one family share: their clinic, name, language and background."""

    clinic: Clinic
    family_name: str
    given_pool: str  # which name lists the given names come from ("hispanic", "english", …)
    family_pool: str  # which list a caregiver's own family name may come from
    language: str
    race: list[str]
    race_detail: str


class CaregiverPlan(NamedTuple):
    """One caregiver a family will have, before their details are drawn."""

    relationship: str
    name_pool: str  # "female" or "male": the given-name list
    lives_with_child: bool


def _draw_family_traits(rng: random.Random, clinics: Sequence[Clinic]) -> FamilyTraits:
    """The family's clinic and background, the first draws of the family's stream."""
    shape = population()
    clinic = clinics[rng.choices(range(len(clinics)), weights=shape.clinic_weights[: len(clinics)])[0]]
    background = weighted(rng, shape.race_ethnicity_weights)
    given_pool, family_pool = _names(
        "hispanic" if background == "multi" and rng.random() < 0.4 else background
    )
    family_name = pick(rng, shape.names[f"{family_pool}_family"])
    language = _language(rng, background)
    race, detail = (["declined"], "") if background == "declined" else _race_codes(rng, background)
    return FamilyTraits(
        clinic=clinic,
        family_name=family_name,
        given_pool=given_pool,
        family_pool=family_pool,
        language=language,
        race=race,
        race_detail=detail,
    )


def _child_medi_cal_id(crng: random.Random, number: int) -> str:
    if crng.random() < population().medi_cal_share:
        return f"9{number % 10_000_000:07d}{'ABCDEFGHJK'[number % 10]}"
    return ""


def _draw_child(
    crng: random.Random,
    *,
    child_id: uuid.UUID,
    number: int,
    date_of_birth: date,
    traits: FamilyTraits,
    household: Household,
) -> Child:
    sex = "F" if crng.random() < 0.49 else "M"
    given = pick(crng, population().names[f"{traits.given_pool}_given_{'female' if sex == 'F' else 'male'}"])
    clinic = traits.clinic
    return Child(
        id=child_id,
        clinic=clinic,
        household=household,
        **_person_fields(given, traits.family_name),
        preferred_language=traits.language,
        date_of_birth=date_of_birth,
        sex=sex,
        gestational_age_days=_gestational_age_days(crng),
        mrn=f"{clinic.slug[:2].upper()}{number:08d}",
        medi_cal_id=_child_medi_cal_id(crng, number),
        race_ethnicity=traits.race,
        race_ethnicity_detail=traits.race_detail,
    )


def _draw_children(
    rng: random.Random,
    *,
    seed: int,
    index: int,
    anchor: date,
    traits: FamilyTraits,
    household: Household,
    child_budget: int,
) -> list[Child]:
    """The family's children, youngest first, never more than ``child_budget``."""
    count = min(int(weighted(rng, population().children_per_family_weights)), child_budget)
    age_days = rng.randint(0, MAX_YOUNGEST_AGE_DAYS)
    children: list[Child] = []
    for j in range(count):
        # Each child draws from a stream of their own, so a family cut short by the
        # --children limit shares every record it has with the full family.
        crng = random.Random(f"{seed}:child:{index}:{j}")
        if j:
            age_days += crng.randint(420, 1100)  # older siblings, 14 to 36 months apart
        children.append(
            _draw_child(
                crng,
                child_id=record_id(seed, "child", index, j),
                number=index * 4 + j,
                date_of_birth=anchor - timedelta(days=age_days),
                traits=traits,
                household=household,
            )
        )
    return children


def _caregiver_plans(rng: random.Random) -> list[CaregiverPlan]:
    """Who cares for the children: a primary caregiver, perhaps a second parent and a grandmother."""
    shape = population()
    plans: list[CaregiverPlan] = []
    roll = rng.random()
    if roll < 0.02:
        plans.append(CaregiverPlan(Relationship.FOSTER_PARENT, "female", True))
    elif roll < 0.06:
        plans.append(CaregiverPlan(Relationship.GRANDMOTHER, "female", True))
    elif roll < 0.11:
        plans.append(CaregiverPlan(Relationship.FATHER, "male", True))
    else:
        plans.append(CaregiverPlan(Relationship.MOTHER, "female", True))
    primary = plans[0].relationship
    if rng.random() < shape.second_caregiver_share:
        second = Relationship.MOTHER if primary == Relationship.FATHER else Relationship.FATHER
        plans.append(
            CaregiverPlan(second, "male" if second == Relationship.FATHER else "female", rng.random() < 0.85)
        )
    if rng.random() < shape.grandparent_share and primary != Relationship.GRANDMOTHER:
        plans.append(CaregiverPlan(Relationship.GRANDMOTHER, "female", rng.random() < 0.5))
    return plans


def _draw_caregiver(
    rng: random.Random,
    *,
    seed: int,
    index: int,
    k: int,
    plan: CaregiverPlan,
    anchor: date,
    traits: FamilyTraits,
    household: Household,
) -> Caregiver:
    """The ``k``-th caregiver of family ``index``, with their contact details and consents."""
    shape = population()
    given = pick(rng, shape.names[f"{traits.given_pool}_given_{plan.name_pool}"])
    own_family = (
        traits.family_name if rng.random() < 0.7 else pick(rng, shape.names[f"{traits.family_pool}_family"])
    )
    has_phone = rng.random() < 0.95
    has_email = rng.random() < shape.email_share
    slug = search_key(f"{given} {own_family}").replace(" ", ".")
    oldest_years = 62 if plan.relationship == Relationship.GRANDMOTHER else 44
    return Caregiver(
        id=record_id(seed, "caregiver", index, k),
        clinic=traits.clinic,
        household=household if plan.lives_with_child else None,
        **_person_fields(given, own_family),
        preferred_language=traits.language,
        phone=_phone(rng) if has_phone else "",
        consent_sms=has_phone and rng.random() < shape.sms_consent_share,
        email=f"{slug}.{index}@example.org" if has_email else "",
        consent_email=has_email,
        date_of_birth=anchor - timedelta(days=rng.randint(18 * 365, oldest_years * 365)),
        medi_cal_id=(f"8{(index * 4 + k) % 10_000_000:07d}{'ABCDEFGHJK'[k]}" if rng.random() < 0.75 else ""),
    )


def _care_links(
    *, seed: int, index: int, k: int, plan: CaregiverPlan, caregiver: Caregiver, children: list[Child]
) -> list[CareRelationship]:
    """How the ``k``-th caregiver is related to each child of the family."""
    return [
        CareRelationship(
            id=record_id(seed, "link", index, k, j),
            clinic=caregiver.clinic,
            child=child,
            caregiver=caregiver,
            relationship=plan.relationship,
            is_primary=k == 0,
            legal_guardian=plan.relationship != Relationship.GRANDMOTHER or k == 0,
            lives_with_child=plan.lives_with_child,
        )
        for j, child in enumerate(children)
    ]


def build_family(
    *, seed: int, index: int, anchor: date, clinics: Sequence[Clinic], child_budget: int
) -> FamilyRows:
    """One family, never more than ``child_budget`` children."""
    rng = random.Random(f"{seed}:family:{index}")
    traits = _draw_family_traits(rng, clinics)
    household = Household(
        id=record_id(seed, "household", index),
        clinic=traits.clinic,
        name=traits.family_name,
        city=traits.clinic.city,
        postal_code=f"9{rng.randint(3000, 6199):04d}",
    )
    rows = FamilyRows(household=household)
    rows.children = _draw_children(
        rng,
        seed=seed,
        index=index,
        anchor=anchor,
        traits=traits,
        household=household,
        child_budget=child_budget,
    )
    rng = random.Random(f"{seed}:caregivers:{index}")
    for k, plan in enumerate(_caregiver_plans(rng)):
        caregiver = _draw_caregiver(
            rng, seed=seed, index=index, k=k, plan=plan, anchor=anchor, traits=traits, household=household
        )
        rows.caregivers.append(caregiver)
        rows.links += _care_links(
            seed=seed, index=index, k=k, plan=plan, caregiver=caregiver, children=rows.children
        )
    return rows


def iter_families(
    *, seed: int, anchor: date, clinics: Sequence[Clinic], children: int
) -> Iterator[FamilyRows]:
    """Families in order until ``children`` children are drawn."""
    remaining = children
    index = 0
    while remaining > 0:
        rows = build_family(seed=seed, index=index, anchor=anchor, clinics=clinics, child_budget=remaining)
        remaining -= len(rows.children)
        index += 1
        yield rows
