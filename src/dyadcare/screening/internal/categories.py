"""Which screening category an instrument given at a visit fills, the choices a form offers
(the clinic's categories, the library's instruments), and the checks of a screen recorded as
given elsewhere."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.instruments.engine import Instrument
from dyadcare.instruments.internal import registry
from dyadcare.screening.models import AddedInstrument, DoneElsewhere
from dyadcare.tenancy.models import Clinic
from dyadcare.touchpoints.bundles import all_categories
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.selectors import clinic_bundle


def category_for(clinic: Clinic, visit: Visit, instrument: Instrument) -> str:
    """The category ``instrument`` fills at ``visit``: the one staff's addition recorded, else
    the clinic's bundle's (the touchpoint's own first, then any touchpoint's, then a
    fallback's); "" when it fills none (an instrument added on concern)."""
    added = (
        AddedInstrument.objects.filter(visit=visit, instrument_id=instrument.id)
        .values_list("category", flat=True)
        .first()
    )
    if added is not None:
        return added
    bundle = clinic_bundle(clinic)
    for ident in (instrument.id, str(instrument.raw.get("family") or "")):
        if ident:
            category = bundle.category_of(ident, visit.touchpoint or None)
            if category:
                return category
    return ""


def known_categories(clinic: Clinic) -> set[str]:
    """The schedule's categories, those a service model adds, and the clinic's own."""
    return set(all_categories()) | {rule.category for rule in clinic_bundle(clinic).rules}


def library_ids() -> set[str]:
    """Every instrument of the library, each checklist age by its own id."""
    return set(registry.library().ids(with_ages=True))


def check_elsewhere(clinic: Clinic, visit: Visit, record: DoneElsewhere) -> None:
    """The record's own field checks, then: a category the clinic's schedule knows, an
    instrument of the library, a date from the child's birth to today, a reason."""
    errors: dict[str, list[str]] = {}
    try:
        record.full_clean(exclude=["clinic", "visit", "child", "recorded_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if record.category not in known_categories(clinic):
        errors.setdefault("category", []).append(_("Choose a screening category from the list."))
    if record.instrument_id not in library_ids():
        errors.setdefault("instrument_id", []).append(_("Choose an instrument from the list."))
    if isinstance(record.done_on, date) and not (
        visit.child.date_of_birth <= record.done_on <= timezone.localdate()
    ):
        errors.setdefault("done_on", []).append(_("The date must be from the child's birth to today."))
    if len(record.reason) < 5:
        errors.setdefault("reason", []).append(_("Say how you know it was given (a few words)."))
    if errors:
        raise ValidationError(errors)
