"""The demo network's community resource directory: a few hundred invented services across
the demo's area (ZIP codes 93000-96199), each tagged with Open Eligibility terms of one need,
in English with a Spanish name and description, written through the directory import's own
staging and writer so that keys and shapes are the import's."""

from __future__ import annotations

import random
import uuid
from typing import Any

from dyadcare.demo.families import NAMESPACE
from dyadcare.referrals import rules
from dyadcare.referrals.internal.staging import Staged
from dyadcare.referrals.internal.writer import write
from dyadcare.referrals.models import Service
from dyadcare.tenancy.models import Network

SERVICES = 300
TOWNS = (
    "Valle Verde",
    "Cedar Flats",
    "Pine Hollow",
    "Rio Claro",
    "Oak Mesa",
    "Harbor Point",
    "Sunset Ridge",
    "Mill Creek",
    "Alder Grove",
    "Bayview",
)
# need key -> (English name, Spanish name, English description, Spanish description)
KINDS: dict[str, tuple[str, str, str, str]] = {
    "food": (
        "Community Food Pantry",
        "Despensa comunitaria de alimentos",
        "Free groceries once a week; no documents needed.",
        "Alimentos gratis una vez por semana; no se piden documentos.",
    ),
    "housing": (
        "Rental Help Program",
        "Programa de ayuda con la renta",
        "Help paying rent and finding housing.",
        "Ayuda para pagar la renta y encontrar vivienda.",
    ),
    "housing-quality": (
        "Healthy Homes Advice",
        "Asesoría para hogares saludables",
        "Advice on repairs, mold and tenants' rights.",
        "Asesoría sobre reparaciones, moho y derechos de inquilinos.",
    ),
    "homelessness": (
        "Family Shelter",
        "Albergue familiar",
        "Emergency shelter for families with children.",
        "Albergue de emergencia para familias con niños.",
    ),
    "utilities": (
        "Energy Bill Assistance",
        "Ayuda con la factura de luz",
        "Help paying gas, electric and water bills.",
        "Ayuda para pagar gas, luz y agua.",
    ),
    "transportation": (
        "Rides to Care",
        "Transporte a citas médicas",
        "Free rides and bus passes to medical visits.",
        "Viajes gratis y pases de autobús para citas médicas.",
    ),
    "financial": (
        "Benefits Enrollment Help",
        "Ayuda para inscribirse en beneficios",
        "Help applying for CalFresh, WIC and Medi-Cal.",
        "Ayuda para solicitar CalFresh, WIC y Medi-Cal.",
    ),
    "safety": (
        "Family Safety Line",
        "Línea de seguridad familiar",
        "Confidential help for people experiencing violence at home.",
        "Ayuda confidencial para personas que viven violencia en casa.",
    ),
    "baby-supplies": (
        "Diaper Bank",
        "Banco de pañales",
        "Diapers, wipes and formula for families.",
        "Pañales, toallitas y fórmula para familias.",
    ),
    "childcare": (
        "Early Learning Center",
        "Centro de aprendizaje temprano",
        "Childcare and preschool for children up to 5.",
        "Cuidado infantil y preescolar para niños hasta 5 años.",
    ),
    "parenting": (
        "Parent Circle",
        "Círculo de padres",
        "Parenting groups and home visits.",
        "Grupos de crianza y visitas al hogar.",
    ),
}
AGES: dict[str, tuple[float | None, float | None]] = {
    "childcare": (0, 5),
    "parenting": (0, 5),
    "baby-supplies": (0, 3),
}


def _id(seed: int, *parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{seed}:directory:" + ":".join(str(p) for p in parts)))


def _taxonomy(seed: int, staged: Staged) -> dict[str, str]:
    """The Open Eligibility terms the needs name; returns code -> term id."""
    taxonomy = _id(seed, "taxonomy")
    staged.add(
        "taxonomy",
        {
            "id": taxonomy,
            "name": "Open Eligibility",
            "version": "2.0",
            "description": "Open Eligibility taxonomy (CC BY-SA 3.0)",
        },
        "demo",
        0,
    )
    terms: dict[str, str] = {}
    for need in rules.needs():
        for code in need.codes:
            if code not in terms:
                terms[code] = _id(seed, "term", code)
                staged.add(
                    "taxonomy_term",
                    {
                        "id": terms[code],
                        "code": code,
                        "name": f"{need.label['en']} ({code})",
                        "description": need.label["en"],
                        "taxonomy": "Open Eligibility",
                        "taxonomy_id": taxonomy,
                    },
                    "demo",
                    0,
                )
    return terms


def _service(
    seed: int, i: int, rng: random.Random, staged: Staged, terms: dict[str, str], zips: list[str]
) -> None:
    key = list(KINDS)[i % len(KINDS)]
    en, es, en_text, es_text = KINDS[key]
    town = rng.choice(TOWNS)
    org, svc, loc, sal = (_id(seed, kind, i) for kind in ("org", "svc", "loc", "sal"))
    zip_code = rng.choice(zips)
    lat, lon = rules.centroid(zip_code) or (37.0, -120.0)
    staged.add("organization", {"id": org, "name": f"{town} {en} Inc.", "description": en_text}, "demo", i)
    low, high = AGES.get(key, (None, None))
    service: dict[str, Any] = {
        "id": svc,
        "organization_id": org,
        "name": f"{town} {en}",
        "description": en_text,
        "status": "active",
        "minimum_age": low,
        "maximum_age": high,
        "email": f"info{i}@example.org",
        "translations": {"es": {"name": f"{es} de {town}", "description": es_text}},
        "accepts_referrals_via": "email" if rng.random() < 0.7 else "none",
        "referral_contact": f"intake{i}@example.org",
    }
    staged.add("service", {k: v for k, v in service.items() if v is not None}, "demo", i)
    staged.add(
        "location",
        {
            "id": loc,
            "organization_id": org,
            "location_type": "physical",
            "name": f"{town} office",
            "latitude": round(lat + rng.uniform(-0.02, 0.02), 5),
            "longitude": round(lon + rng.uniform(-0.02, 0.02), 5),
        },
        "demo",
        i,
    )
    staged.add(
        "address",
        {
            "id": _id(seed, "addr", i),
            "location_id": loc,
            "address_1": f"{100 + i} Main Street",
            "city": town,
            "state_province": "CA",
            "postal_code": zip_code,
            "country": "US",
            "address_type": "physical",
        },
        "demo",
        i,
    )
    staged.add("service_at_location", {"id": sal, "service_id": svc, "location_id": loc}, "demo", i)
    staged.add(
        "phone",
        {
            "id": _id(seed, "phone", i),
            "service_id": svc,
            "number": f"(555) 01{i % 100:02d}-{1000 + i:04d}",
            "type": "voice",
        },
        "demo",
        i,
    )
    for code in (
        ["en"]
        + (["es"] if rng.random() < 0.6 else [])
        + rng.sample(["vi", "zh", "tl", "hmn"], k=rng.randint(0, 1))
    ):
        staged.add("language", {"id": _id(seed, "lang", i, code), "service_id": svc, "code": code}, "demo", i)
    days = rng.choice(["MO,TU,WE,TH,FR", "MO,WE,FR", "TU,TH,SA", "MO,TU,WE,TH,FR,SA,SU"])
    opens, closes = rng.choice(
        [("09:00", "17:00"), ("08:00", "12:00"), ("13:00", "19:00"), ("00:00", "23:59")]
    )
    staged.add(
        "schedule",
        {
            "id": _id(seed, "sched", i),
            "service_id": svc,
            "freq": "WEEKLY",
            "byday": days,
            "opens_at": opens,
            "closes_at": closes,
        },
        "demo",
        i,
    )
    need = rules.need_for(key)
    for code in need.codes[:2] if need else ():
        staged.add(
            "attribute",
            {
                "id": _id(seed, "attr", i, code),
                "link_id": svc,
                "link_entity": "service",
                "taxonomy_term_id": terms[code],
            },
            "demo",
            i,
        )


def build_directory(*, seed: int, network: Network, services: int = SERVICES) -> int:
    """Write the demo directory once; returns how many services were added."""
    if Service.objects.filter(network=network).exists():
        return 0
    rng = random.Random(f"{seed}:directory")
    zips = sorted(z for z in rules.zip_centroids() if "93000" <= z <= "96199")
    staged = Staged()
    terms = _taxonomy(seed, staged)
    for i in range(services):
        _service(seed, i, rng, staged, terms, zips)
    write(staged, network)
    return len(staged.tables["service"])
