"""Writes on a clinic's instrument set-up: licensed item text and parameter values. Each
service checks the permission, validates against the instrument, saves in one transaction and
writes the audit entry. Both are the clinic's own rows, read and written in its scope.

Parameter values are a history: a change appends a row in force from now (a null value:
back to the library default); nothing is overwritten, so a stored result can always be
explained by the values that scored it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.instruments.audit_actions import InstrumentAction
from dyadcare.instruments.engine import DefinitionError, InputError, Instrument
from dyadcare.instruments.engine.textfile import ItemText
from dyadcare.instruments.internal import registry
from dyadcare.instruments.models import ClinicItemText, ClinicParameter
from dyadcare.instruments.permissions import InstrumentPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.models import Clinic


def _instrument(instrument_id: str) -> Instrument:
    try:
        return registry.get(instrument_id)
    except InputError:
        raise ValidationError(_("There is no such instrument.")) from None


def _clinic(actor: Actor) -> Clinic:
    if actor.clinic is None:
        raise ValidationError(_("Choose a clinic first."))
    return actor.clinic


def _save(row: ClinicItemText) -> None:
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
    with registry.in_scope_of(clinic):
        row = ClinicItemText.objects.filter(instrument_id=instrument.id, language=language).first()
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
    with registry.in_scope_of(clinic):
        row = ClinicItemText.objects.filter(instrument_id=instrument_id, language=language).first()
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
    """Set (or, with ``None`` or the default value, reset to the library default) the clinic's
    values of an instrument's configurable parameters, in force from now. A row is appended
    for each parameter whose value changes, and for nothing else. Returns the names changed."""
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
    # One writer per clinic at a time: the second of two saves at the same moment compares
    # against the first one's values.
    list(Clinic.objects.select_for_update().filter(pk=clinic.pk).values_list("pk", flat=True))
    now = timezone.now()
    with registry.in_scope_of(clinic):
        current = registry.get(instrument.id, clinic=clinic, at=now).overrides
        changed = []
        assert actor.user is not None
        for name, value in checked.items():
            stored = None if value is None or value == instrument.parameters[name].default else value
            if stored == current.get(name):
                continue
            row = ClinicParameter(
                clinic=clinic,
                instrument_id=instrument.id,
                name=name,
                value=stored,
                effective_from=now,
                reason=reason.strip()[:300],
                changed_by=actor.user,
            )
            row.full_clean()
            row.save()
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
