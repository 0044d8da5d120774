"""Which instruments a visit calls for, and which a family can answer on their own."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.instruments.engine import InputError, Instrument
from dyadcare.instruments.engine.library import MILESTONE_AGES
from dyadcare.instruments.internal import registry
from dyadcare.tenancy.models import Clinic
from dyadcare.touchpoints.bundles import Bundle
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.schedule import touchpoint
from dyadcare.touchpoints.selectors import age_on, visit_due

FAMILY_RESPONDENTS = ("caregiver-about-child", "caregiver-self")


@dataclass(frozen=True)
class Planned:
    instrument: Instrument
    category: str
    overdue: bool
    family_can_answer: bool
    staff_entry: bool
    why_not: str = ""
    warning: str = ""

    @property
    def id(self) -> str:
        return self.instrument.id


def milestone_age(visit: Visit) -> int | None:
    """The CDC checklist for the visit: the touchpoint's age, or the latest one before it."""
    if not visit.touchpoint:
        return None
    months = touchpoint(visit.touchpoint).months
    ages = [a for a in MILESTONE_AGES if a <= months]
    return max(ages) if ages else None


# Instruments read once per request: (instrument id, milestone age) -> instrument.
InstrumentCache = dict[tuple[str, int | None], Instrument | None]


def load(
    instrument_id: str, *, clinic: Clinic, visit: Visit, cache: InstrumentCache | None = None
) -> Instrument | None:
    """The instrument as the clinic uses it (its licensed text and settings read from the
    database); pass a ``cache`` dict when loading several, to read each instrument once."""
    age = milestone_age(visit) if instrument_id.startswith("cdc-milestones") else None
    if instrument_id == "cdc-milestones" and age is None:
        return None
    key = (instrument_id, age)
    if cache is not None and key in cache:
        return cache[key]
    try:
        instrument: Instrument | None = registry.get(instrument_id, clinic=clinic, age=age)
    except InputError:
        instrument = None
    if cache is not None:
        cache[key] = instrument
    return instrument


def visit_plan(*, visit: Visit, bundle: Bundle, clinic: Clinic, language: str) -> list[Planned]:
    """Every instrument due (or overdue) at the visit, with whether the family can answer it
    in ``language`` and, if not, why."""
    report = visit_due(visit=visit, bundle=bundle)
    child_months = age_on(visit.child, timezone.localtime(visit.scheduled_for).date()).months
    planned: list[Planned] = []
    seen: set[str] = set()
    cache: InstrumentCache = {}
    for item in report.items:
        for instrument_id in item.instruments:
            instrument = load(instrument_id, clinic=clinic, visit=visit, cache=cache)
            if instrument is None or instrument.id in seen:
                continue
            seen.add(instrument.id)
            staff_entry = instrument.kind == "score-entry" or instrument.respondent not in FAMILY_RESPONDENTS
            why_not = ""
            if staff_entry:
                why_not = _("scored by staff")
            elif language not in instrument.languages:
                why_not = _("not available in this language")
            elif instrument.licence == "clinic-supplied" and language not in instrument.text_language:
                why_not = _("the clinic has not loaded its licensed text in this language")
            warning = ""
            low, high = instrument.age_months
            if (low is not None and child_months < low) or (high is not None and child_months > high):
                warning = _("outside the ages the instrument was validated for")
            planned.append(
                Planned(
                    instrument=instrument,
                    category=item.category,
                    overdue=item.overdue,
                    family_can_answer=not why_not,
                    staff_entry=staff_entry,
                    why_not=why_not,
                    warning=warning,
                )
            )
    return planned


def safety_items(instrument: Instrument) -> set[int]:
    """Items whose answer, whatever it is, means the family should see crisis resources:
    critical items, the items of a safety domain, and every item of an instrument labelled
    SDV (violence and abuse)."""
    items = {c.item for c in instrument.scoring.critical}
    for domain in instrument.scoring.domains:
        if domain.name == "safety":
            items |= set(domain.rule.items)
    if any(label.get("code") == "SDV" for label in instrument.sensitivity) and not items:
        items = {item.number for item in instrument.items}
    return items
