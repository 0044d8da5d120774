"""Writes on a clinic's instrument set-up: licensed item text and parameter values. Each
service checks the permission, validates against the instrument, saves in one transaction and
writes the audit entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dyadcare.instruments.audit_actions import InstrumentAction
from dyadcare.instruments.engine import DefinitionError, InputError, Instrument
from dyadcare.instruments.engine.textfile import ItemText
from dyadcare.instruments.internal import registry
from dyadcare.instruments.models import ClinicItemText, ClinicParameter
from dyadcare.instruments.permissions import InstrumentPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record


def _instrument(instrument_id: str) -> Instrument:
    try:
        return registry.get(instrument_id)
    except InputError:
        raise ValidationError(_("There is no such instrument.")) from None


def _clinic(actor: Actor) -> Any:
    if actor.clinic is None:
        raise ValidationError(_("Choose a clinic first."))
    return actor.clinic


def _save(row: ClinicItemText | ClinicParameter) -> None:
    """Save; two people saving the same row at the same moment: the second is told to retry."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise ValidationError(_("Someone else saved this at the same moment. Please try again.")) from exc


@transaction.atomic
def item_text_load(
    *,
    actor: Actor,
    instrument_id: str,
    language: str,
    items: Sequence[ItemText],
    copyright_notice: str,
    source_note: str = "",
) -> ClinicItemText:
    """Store the clinic's licensed text of a clinic-supplied instrument in one language,
    replacing what was there. The text must fit the instrument's items and options."""
    actor.require(InstrumentPerm.MANAGE)
    clinic = _clinic(actor)
    instrument = _instrument(instrument_id)
    if instrument.licence != "clinic-supplied":
        raise ValidationError(_("Only clinic-supplied instruments take text loaded by the clinic."))
    if not copyright_notice.strip():
        raise ValidationError({"copyright_notice": [_("Keep the instrument's copyright notice.")]})
    try:
        instrument.with_text(language, [i.text for i in items], [list(i.options) or None for i in items])
    except DefinitionError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    row = ClinicItemText.objects.filter(clinic=clinic, instrument_id=instrument.id, language=language).first()
    creating = row is None
    if row is None:
        row = ClinicItemText(clinic=clinic, instrument_id=instrument.id, language=language)
    row.items = [{"number": i.number, "text": i.text, "options": list(i.options)} for i in items]
    row.copyright_notice = copyright_notice.strip()
    row.source_note = source_note.strip()
    assert actor.user is not None
    row.loaded_by = actor.user
    row.full_clean(validate_constraints=False)
    _save(row)
    audit_record(
        actor=actor,
        action=Action.CREATE if creating else Action.UPDATE,
        obj=row,
        summary=f"{instrument.id} item text ({language}, {len(items)} items)",
    )
    return row


@transaction.atomic
def item_text_remove(*, actor: Actor, instrument_id: str, language: str) -> bool:
    actor.require(InstrumentPerm.MANAGE)
    clinic = _clinic(actor)
    row = ClinicItemText.objects.filter(clinic=clinic, instrument_id=instrument_id, language=language).first()
    if row is None:
        return False
    audit_record(
        actor=actor, action=Action.DELETE, obj=row, summary=f"{instrument_id} item text ({language})"
    )
    row.delete()
    return True


@transaction.atomic
def parameters_set(
    *, actor: Actor, instrument_id: str, values: dict[str, Any], reason: str = ""
) -> list[str]:
    """Set (or, with ``None``, reset to the library default) the clinic's values of an
    instrument's configurable parameters. Returns the names changed."""
    actor.require(InstrumentPerm.MANAGE)
    clinic = _clinic(actor)
    instrument = _instrument(instrument_id)
    errors: dict[str, list[str]] = {}
    checked: dict[str, Any] = {}
    for name, value in values.items():
        if name not in instrument.parameters:
            errors.setdefault(name, []).append(_("Unknown parameter."))
            continue
        if value is None:
            checked[name] = None
            continue
        try:
            checked[name] = instrument.parameters[name].check(value, instrument)
        except DefinitionError as exc:
            errors.setdefault(name, []).append(str(exc))
    if errors:
        raise ValidationError(errors)
    existing = {p.name: p for p in ClinicParameter.objects.filter(clinic=clinic, instrument_id=instrument.id)}
    changed = []
    assert actor.user is not None
    for name, value in checked.items():
        row = existing.get(name)
        default = instrument.parameters[name].default
        if value is None or value == default:
            if row is not None:
                row.delete()
                changed.append(name)
            continue
        if row is not None and row.value == value:
            continue
        if row is None:
            row = ClinicParameter(clinic=clinic, instrument_id=instrument.id, name=name)
        row.value = value
        row.reason = reason.strip()[:300]
        row.changed_by = actor.user
        row.full_clean(validate_constraints=False)
        _save(row)
        changed.append(name)
    if changed:
        audit_record(
            actor=actor,
            action=InstrumentAction.PARAMETERS_CHANGED,
            object_type="instruments.clinicparameter",
            object_id=instrument.id,
            summary="changed: " + ", ".join(sorted(changed)),
        )
    return changed
