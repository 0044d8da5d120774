"""The instruments a clinic uses: the bundled library with the clinic's licensed item text and
parameter values applied. The screening sessions call this; the instrument pages read through
:mod:`dyadcare.instruments.selectors`.

A page or a submission that needs several instruments reads them as one set, in two queries
(the clinic's texts, its parameter history) whatever the number of instruments:

    from dyadcare.instruments.internal import registry
    instruments = registry.for_clinic(clinic, ids=["phq9", "epds"])
    phq9 = instruments.get("phq9")
    result = engine.score(phq9, engine.parse_answers(phq9, answers), language="es")
    notice = instruments.copyright("epds", "es")   # the clinic's own notice for its text

A stored result is re-read with the parameter values that scored it, not today's:

    instrument = instruments.as_scored(result)

The clinic's rows are clinic-scoped: the set is read in the clinic scope already open for
``clinic`` (a staff page, a family link), and refused under another clinic's scope or none.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

from django.utils import timezone
from django_scopes import get_scope

from dyadcare.instruments import parameters
from dyadcare.instruments.engine import DefinitionError, Instrument, Library, load_library
from dyadcare.instruments.models import ClinicItemText, ClinicParameter
from dyadcare.tenancy.models import Clinic
from dyadcare.tenancy.scope import ScopeError, clinic_scope

logger = logging.getLogger(__name__)


def library() -> Library:
    return load_library()


class ScoredRecord(Protocol):
    """What :meth:`InstrumentSet.as_scored` reads of a stored result (a ScreeningResult)."""

    @property
    def instrument_id(self) -> str: ...

    @property
    def parameters(self) -> Any: ...  # {name: value}, or None: not recorded


@contextmanager
def in_scope_of(clinic: Clinic) -> Iterator[None]:
    """Run queries on ``clinic``'s own rows through the clinic scope: the scope already open
    for it; its own scope inside a network's scope that spans it or an operator's unscoped
    block. Refused (ScopeError) with no scope open, or another clinic's."""
    state = get_scope()
    if not state.get("_enabled", True):
        with clinic_scope(clinic):
            yield
        return
    if "clinic" not in state:
        raise ScopeError("Open the clinic scope before reading its instrument set-up")
    current = state["clinic"]
    if isinstance(current, list | tuple):
        if clinic.pk not in current:
            raise ScopeError("The clinic is outside the scope that is open")
        with clinic_scope(clinic):
            yield
        return
    if getattr(current, "pk", current) != clinic.pk:
        raise ScopeError("Another clinic's scope is open")
    yield


def _wanted(lib: Library, ids: Iterable[str] | None) -> list[str]:
    """Concrete instrument ids, in order, without repeats: a family's id (``cdc-milestones``)
    stands for each of its forms; unknown ids are left out (``get`` then says so)."""
    if ids is None:
        return [i for i in lib.ids(with_ages=True) if i in lib.instruments]
    wanted: dict[str, None] = {}
    for ident in ids:
        if forms := lib.family(ident):
            wanted.update((form.id, None) for form in forms)
        elif ident in lib.instruments:
            wanted[ident] = None
    return list(wanted)


class InstrumentSet:
    """Instruments as one clinic uses them at one moment (``at``): the library's, with the
    clinic's licensed text and the parameter values in force then. Built by :func:`for_clinic`."""

    def __init__(
        self,
        *,
        clinic: Clinic | None,
        at: datetime,
        with_text: Mapping[str, Instrument],
        in_force: Mapping[str, Mapping[str, Any]],
        notices: Mapping[str, Mapping[str, str]],
    ) -> None:
        self.clinic = clinic
        self.at = at
        self._with_text = dict(with_text)
        self._notices = notices
        self._instruments = {
            ident: parameters.with_values(
                instrument,
                # A parameter the library no longer has is left out quietly, as before.
                {k: v for k, v in in_force.get(ident, {}).items() if k in instrument.parameters},
            )
            for ident, instrument in self._with_text.items()
        }

    def __iter__(self) -> Iterator[Instrument]:
        return iter(self._instruments.values())

    def __len__(self) -> int:
        return len(self._instruments)

    def __contains__(self, instrument_id: object) -> bool:
        return instrument_id in self._instruments

    def _key(self, instrument_id: str, age: int | None = None) -> str:
        ident = library().get(instrument_id, age=age).id  # engine.InputError if unknown
        if ident not in self._instruments:
            raise KeyError(f"{ident} was not read in this set: name it in for_clinic(ids=...)")
        return ident

    def get(self, instrument_id: str, *, age: int | None = None) -> Instrument:
        """One instrument (``cdc-milestones`` needs the checklist ``age``); engine.InputError
        if there is no such instrument."""
        return self._instruments[self._key(instrument_id, age)]

    def copyright(self, instrument_id: str, language: str) -> Notice:
        """The notice shown with the items in ``language``: the clinic's own, from the
        licensed text it loaded (that language's, else the English one's), else the
        instrument's (written in English: a notice is shown as its holder wrote it)."""
        instrument = self.get(instrument_id)
        terms = instrument.licence_terms.get(language, "")
        if instrument.licence == "clinic-supplied":
            notices = self._notices.get(instrument.id, {})
            for written_in in (language, "en"):
                if notices.get(written_in):
                    return Notice(notices[written_in], language=written_in, terms=terms)
        return Notice(instrument.copyright, language="en", terms=terms)

    def as_scored(self, result: ScoredRecord) -> Instrument:
        """The instrument as it scored ``result``: the clinic's text, and the parameter values
        the result stored, not those in force today. A result whose values were not recorded
        (``parameters`` is None: scored before results kept them, and not recoverable) gets the
        library defaults; say so wherever its rule is shown."""
        base = self._with_text[self._key(result.instrument_id)]
        return parameters.with_values(base, result.parameters or {})


class Notice(str):
    """A copyright notice: its text, the language it is written in (a page in another
    language marks it so), and the licence's terms in the page's language."""

    language: str
    terms: str

    def __new__(cls, text: str, *, language: str, terms: str = "") -> Notice:
        notice = super().__new__(cls, text)
        notice.language = language
        notice.terms = terms
        return notice


def _with_text(instrument: Instrument, rows: Iterable[ClinicItemText]) -> tuple[Instrument, dict[str, str]]:
    notices: dict[str, str] = {}
    for row in rows:
        try:
            instrument = instrument.with_text(row.language, row.texts(), row.option_labels())
        except DefinitionError:
            # Loaded for an earlier version of the instrument: ignored until loaded again.
            logger.warning(
                "clinic text for %s (%s) no longer fits the instrument", row.instrument_id, row.language
            )
            continue
        notices[row.language] = row.copyright_notice
    return instrument, notices


def for_clinic(
    clinic: Clinic | None, *, ids: Iterable[str] | None = None, at: datetime | None = None
) -> InstrumentSet:
    """The instruments ``ids`` (every instrument when None; ``cdc-milestones`` stands for every
    age's checklist) as ``clinic`` uses them at ``at`` (now when None): two queries, the
    clinic's texts and its parameter history, whatever the number of instruments. Without a
    clinic: the library as shipped, no query."""
    lib = library()
    wanted = _wanted(lib, ids)
    moment = at or timezone.now()
    if clinic is None:
        return InstrumentSet(
            clinic=None, at=moment, with_text={i: lib.instruments[i] for i in wanted}, in_force={}, notices={}
        )
    texts: dict[str, list[ClinicItemText]] = defaultdict(list)
    in_force: dict[str, dict[str, Any]] = defaultdict(dict)
    with in_scope_of(clinic):
        text_rows = ClinicItemText.objects.all()
        history = ClinicParameter.objects.filter(effective_from__lte=moment)
        if ids is not None:
            text_rows = text_rows.filter(instrument_id__in=wanted)
            history = history.filter(instrument_id__in=wanted)
        for row in text_rows:
            texts[row.instrument_id].append(row)
        # The latest change of each parameter at ``moment`` is the one in force.
        for instrument_id, name, value in history.order_by("effective_from", "id").values_list(
            "instrument_id", "name", "value"
        ):
            in_force[instrument_id][name] = value
    with_text: dict[str, Instrument] = {}
    notices: dict[str, dict[str, str]] = {}
    for ident in wanted:
        with_text[ident], notices[ident] = _with_text(lib.instruments[ident], texts.get(ident, []))
    return InstrumentSet(clinic=clinic, at=moment, with_text=with_text, in_force=in_force, notices=notices)


def get(
    instrument_id: str, *, clinic: Clinic | None = None, age: int | None = None, at: datetime | None = None
) -> Instrument:
    """One instrument as ``clinic`` uses it (at ``at``, now when None); raises
    engine.InputError if unknown. For several, read them as one set with :func:`for_clinic`."""
    ident = library().get(instrument_id, age=age).id
    return for_clinic(clinic, ids=[ident], at=at).get(ident)


def all_for(clinic: Clinic | None = None) -> list[Instrument]:
    """Every instrument (contract ids, then the milestone checklists) as ``clinic`` uses it."""
    return list(for_clinic(clinic))


def as_scored(result: ScoredRecord, *, clinic: Clinic | None = None) -> Instrument:
    """One stored result's instrument as it scored it (see :meth:`InstrumentSet.as_scored`)."""
    return for_clinic(clinic, ids=[result.instrument_id]).as_scored(result)
