"""Which instruments a visit calls for, and which a family can answer on their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.instruments.engine import Instrument
from dyadcare.instruments.internal import registry
from dyadcare.screening.models import AddedInstrument, ScreeningResult
from dyadcare.tenancy.models import Clinic
from dyadcare.touchpoints.bundles import Bundle, Fallback
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.selectors import age_on, visit_due

FAMILY_RESPONDENTS = ("caregiver-about-child", "caregiver-self")


@dataclass(frozen=True)
class Planned:
    """One instrument of the visit's plan: the category it fills, whether the family can
    answer it (and if not, why), and why it is on the plan when the schedule did not name it
    (``note``: a fallback, a follow-on after a positive screen, or staff's reason)."""

    instrument: Instrument
    category: str
    overdue: bool
    family_can_answer: bool
    staff_entry: bool
    why_not: str = ""
    warning: str = ""
    note: str = ""
    replaces: str = ""  # a fallback: the instrument it is used instead of
    replaced_by: tuple[str, ...] = ()  # an instrument the clinic cannot send: what is used instead
    added: bool = False  # added by staff
    follows: str = ""  # added after a positive result of this instrument (the note says so)

    @property
    def id(self) -> str:
        return self.instrument.id


def screening_months(visit: Visit) -> float:
    """The age instruments are chosen and checked by at this visit: the child's screening age
    on the visit's day (corrected while correction applies; ``touchpoints.schedule.child_age``)."""
    return age_on(visit.child, timezone.localtime(visit.scheduled_for).date()).screening_months


def concrete_id(instrument_id: str, months: float) -> str | None:
    """The library instrument a visit's bundle entry means for a child of screening age
    ``months``: an id naming a family of forms by age (the CDC checklists'
    ``cdc-milestones``, as their data files say) is the family's form for that age (None when
    the child is younger than every form); any other id is itself."""
    library = registry.library()
    if not library.family(instrument_id):
        return instrument_id
    form = library.for_age(instrument_id, months)
    return form.id if form else None


class VisitInstruments:
    """The instruments a visit may use, as its clinic uses them, read as one set (two queries)
    however many a page or a submission needs."""

    def __init__(self, *, clinic: Clinic, visit: Visit, ids: Iterable[str]) -> None:
        self.visit = visit
        wanted = dict.fromkeys(ids)
        if any(registry.library().family(i) for i in wanted):
            months = screening_months(visit)
            self._concrete = {i: concrete_id(i, months) for i in wanted}
        else:
            self._concrete = {i: i for i in wanted}
        self._set = registry.for_clinic(clinic, ids=[c for c in self._concrete.values() if c])

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
    in ``language`` and, if not, why; for a licensed instrument whose text the clinic has not
    loaded, the service model's fallback (and what follows its positive result); then the
    instruments staff added to the visit."""
    return _PlanBuilder(visit=visit, bundle=bundle, clinic=clinic, language=language).build()


def lacks_licensed_text(instrument: Instrument, language: str) -> bool:
    """A clinic-supplied instrument whose text the clinic has not loaded in ``language``."""
    return instrument.licence == "clinic-supplied" and language not in instrument.text_language


class _PlanBuilder:
    def __init__(self, *, visit: Visit, bundle: Bundle, clinic: Clinic, language: str) -> None:
        self.visit, self.bundle, self.language = visit, bundle, language
        self.report = visit_due(visit=visit, bundle=bundle)
        self.added = list(AddedInstrument.objects.filter(visit=visit))
        self.positive = set(
            ScreeningResult.objects.filter(visit=visit, positive=True).values_list("instrument_id", flat=True)
        )
        ids = [i for item in self.report.items for i in item.instruments]
        for item in self.report.items:
            for fallback in bundle.fallbacks(item.category):
                ids += [*fallback.use, *(i for then in fallback.after_positive.values() for i in then)]
        self.loaded = VisitInstruments(
            clinic=clinic, visit=visit, ids=[*ids, *(a.instrument_id for a in self.added)]
        )
        self.screening_months = screening_months(visit)
        self.planned: list[Planned] = []
        self.seen: set[str] = set()

    def build(self) -> list[Planned]:
        for item in self.report.items:
            for instrument_id in item.instruments:
                instrument = self.loaded.get(instrument_id)
                if instrument is None:
                    continue
                fallback = self.bundle.fallback(item.category, instrument_id)
                if fallback is None or not lacks_licensed_text(instrument, self.language):
                    self._add(instrument, item.category, item.overdue)
                    continue
                self._with_fallback(instrument, fallback, item.category, item.overdue)
        for added in self.added:
            instrument = self.loaded.get(added.instrument_id)
            if instrument is not None:
                self._add(instrument, added.category, False, note=added.reason, added=True)
        return self.planned

    def _with_fallback(
        self, instrument: Instrument, fallback: Fallback, category: str, overdue: bool
    ) -> None:
        """The licensed instrument (paper entry only) and, instead, the fallback's instruments;
        after a positive result of one of them, what the fallback says follows."""
        used = [i for i in (self.loaded.get(u) for u in fallback.use) if i is not None]
        self._add(instrument, category, overdue, replaced_by=tuple(u.id for u in used))
        for use in used:
            names = {"licensed": instrument.title_in(self.language), "used": use.title_in(self.language)}
            if instrument.text_language:
                note = (
                    _(
                        "%(licensed)s: the clinic has not loaded its licensed text in this language; "
                        "%(used)s used instead."
                    )
                    % names
                )
            else:
                note = (
                    _("%(licensed)s: the clinic has not loaded its licensed text; %(used)s used instead.")
                    % names
                )
            self._add(use, category, overdue, note=note, replaces=instrument.id)
        for after, then in fallback.after_positive.items():
            first = self.loaded.get(after)
            if first is None or first.id not in self.positive:
                continue
            for follow in (self.loaded.get(t) for t in then):
                if follow is not None:
                    note = _("after a positive %(first)s") % {"first": first.title_in(self.language)}
                    self._add(follow, category, overdue, note=note, replaces=instrument.id, follows=first.id)

    def _add(self, instrument: Instrument, category: str, overdue: bool, **extra: Any) -> None:
        if instrument.id in self.seen:
            return
        self.seen.add(instrument.id)
        staff_entry = instrument.kind == "score-entry" or instrument.respondent not in FAMILY_RESPONDENTS
        why_not = ""
        if staff_entry:
            why_not = _("scored by staff")
        elif extra.get("replaced_by") and lacks_licensed_text(instrument, self.language):
            why_not = _("the clinic has not loaded its licensed text: enter a paper form")
        elif self.language not in instrument.languages:
            why_not = _("not available in this language")
        elif instrument.licence == "clinic-supplied" and self.language not in instrument.text_language:
            why_not = _("the clinic has not loaded its licensed text in this language")
        warning = ""
        if not registry.library().validated_at(instrument, self.screening_months):
            warning = _("outside the ages the instrument was validated for")
        self.planned.append(
            Planned(
                instrument=instrument,
                category=category,
                overdue=overdue,
                family_can_answer=not why_not,
                staff_entry=staff_entry,
                why_not=why_not,
                warning=warning,
                **extra,
            )
        )


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
