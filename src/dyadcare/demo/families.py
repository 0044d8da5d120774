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


def build_family(
    *, seed: int, index: int, anchor: date, clinics: Sequence[Clinic], child_budget: int
) -> FamilyRows:
    """One family, never more than ``child_budget`` children."""
    shape = population()
    names = shape.names
    rng = random.Random(f"{seed}:family:{index}")
    clinic = clinics[rng.choices(range(len(clinics)), weights=shape.clinic_weights[: len(clinics)])[0]]
    background = weighted(rng, shape.race_ethnicity_weights)
    given_pool, family_pool = _names(
        "hispanic" if background == "multi" and rng.random() < 0.4 else background
    )
    family_name = pick(rng, names[f"{family_pool}_family"])
    language = _language(rng, background)
    race, detail = ([], "") if background == "declined" else _race_codes(rng, background)
    if background == "declined":
        race = ["declined"]

    household = Household(
        id=record_id(seed, "household", index),
        clinic=clinic,
        name=family_name,
        city=clinic.city,
        postal_code=f"9{rng.randint(3000, 6199):04d}",
    )
    rows = FamilyRows(household=household)

    n_children = min(int(weighted(rng, shape.children_per_family_weights)), child_budget)
    age_days = rng.randint(0, MAX_YOUNGEST_AGE_DAYS)
    for j in range(n_children):
        # Each child draws from a stream of their own, so a family cut short by the
        # --children limit shares every record it has with the full family.
        crng = random.Random(f"{seed}:child:{index}:{j}")
        if j:
            age_days += crng.randint(420, 1100)  # older siblings, 14 to 36 months apart
        sex = "F" if crng.random() < 0.49 else "M"
        given = pick(crng, names[f"{given_pool}_given_{'female' if sex == 'F' else 'male'}"])
        number = index * 4 + j
        rows.children.append(
            Child(
                id=record_id(seed, "child", index, j),
                clinic=clinic,
                household=household,
                **_person_fields(given, family_name),
                preferred_language=language,
                date_of_birth=anchor - timedelta(days=age_days),
                sex=sex,
                gestational_age_days=_gestational_age_days(crng),
                mrn=f"{clinic.slug[:2].upper()}{number:08d}",
                medi_cal_id=(
                    f"9{number % 10_000_000:07d}{'ABCDEFGHJK'[number % 10]}"
                    if crng.random() < shape.medi_cal_share
                    else ""
                ),
                race_ethnicity=race,
                race_ethnicity_detail=detail,
            )
        )

    rng = random.Random(f"{seed}:caregivers:{index}")
    plans: list[tuple[str, str, bool]] = []  # (relationship, given-name pool sex, lives with child)
    roll = rng.random()
    if roll < 0.02:
        plans.append((Relationship.FOSTER_PARENT, "female", True))
    elif roll < 0.06:
        plans.append((Relationship.GRANDMOTHER, "female", True))
    elif roll < 0.11:
        plans.append((Relationship.FATHER, "male", True))
    else:
        plans.append((Relationship.MOTHER, "female", True))
    if rng.random() < shape.second_caregiver_share:
        second = Relationship.MOTHER if plans[0][0] == Relationship.FATHER else Relationship.FATHER
        plans.append((second, "male" if second == Relationship.FATHER else "female", rng.random() < 0.85))
    if rng.random() < shape.grandparent_share and plans[0][0] != Relationship.GRANDMOTHER:
        plans.append((Relationship.GRANDMOTHER, "female", rng.random() < 0.5))

    for k, (relationship, sex_pool, lives_with) in enumerate(plans):
        given = pick(rng, names[f"{given_pool}_given_{sex_pool}"])
        own_family = family_name if rng.random() < 0.7 else pick(rng, names[f"{family_pool}_family"])
        has_phone = rng.random() < 0.95
        has_email = rng.random() < shape.email_share
        slug = search_key(f"{given} {own_family}").replace(" ", ".")
        caregiver = Caregiver(
            id=record_id(seed, "caregiver", index, k),
            clinic=clinic,
            household=household if lives_with else None,
            **_person_fields(given, own_family),
            preferred_language=language,
            phone=_phone(rng) if has_phone else "",
            consent_sms=has_phone and rng.random() < shape.sms_consent_share,
            email=f"{slug}.{index}@example.org" if has_email else "",
            consent_email=has_email,
            date_of_birth=anchor
            - timedelta(
                days=rng.randint(18 * 365, (62 if relationship == Relationship.GRANDMOTHER else 44) * 365)
            ),
            medi_cal_id=(
                f"8{(index * 4 + k) % 10_000_000:07d}{'ABCDEFGHJK'[k]}" if rng.random() < 0.75 else ""
            ),
        )
        rows.caregivers.append(caregiver)
        for j, child in enumerate(rows.children):
            rows.links.append(
                CareRelationship(
                    id=record_id(seed, "link", index, k, j),
                    clinic=clinic,
                    child=child,
                    caregiver=caregiver,
                    relationship=relationship,
                    is_primary=k == 0,
                    legal_guardian=relationship != Relationship.GRANDMOTHER or k == 0,
                    lives_with_child=lives_with,
                )
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
