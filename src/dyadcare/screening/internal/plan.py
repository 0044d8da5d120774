"""Which instruments a visit calls for, and which a family can answer on their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.instruments.engine import Instrument
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


def concrete_id(instrument_id: str, visit: Visit) -> str | None:
    """The library instrument a visit's bundle entry means: an id naming a family of forms by
    age (the CDC checklists' ``cdc-milestones``, as their data files say) is the family's form
    for the visit's age (None when the visit has no age or is younger than every form); any
    other id is itself."""
    library = registry.library()
    if not library.family(instrument_id):
        return instrument_id
    if not visit.touchpoint:
        return None
    form = library.for_age(instrument_id, touchpoint(visit.touchpoint).months)
    return form.id if form else None


class VisitInstruments:
    """The instruments a visit may use, as its clinic uses them, read as one set (two queries)
    however many a page or a submission needs."""

    def __init__(self, *, clinic: Clinic, visit: Visit, ids: Iterable[str]) -> None:
        self.visit = visit
        wanted = {i: concrete_id(i, visit) for i in dict.fromkeys(ids)}
        self._concrete = wanted
        self._set = registry.for_clinic(clinic, ids=[c for c in wanted.values() if c])

    def get(self, instrument_id: str) -> Instrument | None:
        ident = self._concrete.get(instrument_id, instrument_id)
        if ident is None or ident not in self._set:
            return None
        return self._set.get(ident)

    def copyright(self, instrument: Instrument, language: str) -> str:
        return self._set.copyright(instrument.id, language)


def load(instrument_id: str, *, clinic: Clinic, visit: Visit) -> Instrument | None:
    """One instrument as the clinic uses it at this visit, or None when there is no such
    instrument (or no checklist for the visit's age)."""
    return VisitInstruments(clinic=clinic, visit=visit, ids=[instrument_id]).get(instrument_id)


def visit_plan(*, visit: Visit, bundle: Bundle, clinic: Clinic, language: str) -> list[Planned]:
    """Every instrument due (or overdue) at the visit, with whether the family can answer it
    in ``language`` and, if not, why."""
    report = visit_due(visit=visit, bundle=bundle)
    child_months = age_on(visit.child, timezone.localtime(visit.scheduled_for).date()).months
    planned: list[Planned] = []
    seen: set[str] = set()
    loaded = VisitInstruments(
        clinic=clinic, visit=visit, ids=[i for item in report.items for i in item.instruments]
    )
    for item in report.items:
        for instrument_id in item.instruments:
            instrument = loaded.get(instrument_id)
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
    critical items, the items of a domain whose positive result is a safety alert (the
    instrument's data file says which), and every item of an instrument labelled SDV
    (violence and abuse)."""
    items = {c.item for c in instrument.scoring.critical}
    alert_domains = {
        name
        for name, rule in instrument.raw.get("flags", {}).get("domains", {}).items()
        if rule["severity"] == "alert"
    }
    for domain in instrument.scoring.domains:
        if domain.name in alert_domains:
            items |= set(domain.rule.items)
    if any(label.get("code") == "SDV" for label in instrument.sensitivity) and not items:
        items = {item.number for item in instrument.items}
    return items
