"""The ``dyadcare billing evaluate EVENTS.json`` document: read into the engine's dataclasses
(``InputError`` with one line for anything malformed) and the lines written back. No Django.

Input: ``{"payer": "medi-cal", "children": [{"id", "dob", "medi_cal"}], "staff": [{"id",
"license", "npi", "aces_aware_attested"}], "events": [...]}``, an event being ``{"id", "date",
"child", "staff", "type": "screening", "instrument", "subject", "positive", "ace_score"}`` or
``{"id", "date", "child", "staff", "type": "service", "service", "minutes"}``. Optional, beyond
the contract: an event's ``follow_up_plan`` (default false), ``child_present`` (default true) and
``prior_authorization``; a child's ``medi_cal_id``, ``plan`` and ``therapy_basis``; a staff
member's ``supervisor``; a top-level ``clinic`` with ``type`` (fqhc, rhc, tribal),
``eight_minute_rule``, ``minutes_for_first_unit`` and ``overrides`` ([{"rule", "plan",
"enabled", "params"}]).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dyadcare.billing.engine.inputs import Child, Event, InputError, Line, Override, Settings, Staff
from dyadcare.billing.engine.ruleset import PAYERS
from dyadcare.billing.engine.words import describe

CLINIC_TYPES = ("", "fqhc", "rhc", "tribal")


@dataclass(frozen=True)
class Document:
    payer: str
    children: tuple[Child, ...]
    staff: tuple[Staff, ...]
    events: tuple[Event, ...]
    settings: Settings


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{where} must be a JSON object")
    return value


def _list(parent: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = parent.get(key)
    if not isinstance(value, list):
        raise InputError(f"{where}.{key} must be a list")
    return value


def _id(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise InputError(f"{where}.{key} must be a string or a number")
    return str(value)


def _bool(item: Mapping[str, Any], key: str, where: str, default: bool | None = None) -> bool:
    value = item.get(key, default)
    if not isinstance(value, bool):
        raise InputError(f"{where}.{key} must be true or false")
    return value


def _str(item: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = item.get(key, default)
    if value is None and default == "":
        return ""
    if not isinstance(value, str):
        raise InputError(f"{where}.{key} must be a string")
    return value


def _date(item: Mapping[str, Any], key: str, where: str) -> date:
    value = item.get(key)
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{where}.{key} must be a date as YYYY-MM-DD") from None


def _int(item: Mapping[str, Any], key: str, where: str, *, required: bool) -> int | None:
    value = item.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{where}.{key} must be a whole number of 0 or more")
    return value


def _child(raw: Any, where: str) -> Child:
    item = _obj(raw, where)
    return Child(
        id=_id(item, "id", where),
        dob=_date(item, "dob", where),
        medi_cal=_bool(item, "medi_cal", where),
        medi_cal_id=_str(item, "medi_cal_id", where, ""),
        plan=_str(item, "plan", where, ""),
        therapy_basis=_bool(item, "therapy_basis", where, False),
    )


def _staff(raw: Any, where: str) -> Staff:
    item = _obj(raw, where)
    licence_key = "license" if "license" in item else "licence"
    return Staff(
        id=_id(item, "id", where),
        licence=_str(item, licence_key, where),
        npi=str(item.get("npi") or ""),
        aces_attested_on=date.min if _bool(item, "aces_aware_attested", where, False) else None,
        supervisor=str(item.get("supervisor") or ""),
    )


def _event(raw: Any, where: str) -> Event:
    item = _obj(raw, where)
    kind = item.get("type")
    common: dict[str, Any] = {
        "id": _id(item, "id", where),
        "date": _date(item, "date", where),
        "child": _id(item, "child", where),
        "staff": _id(item, "staff", where),
        "type": kind,
    }
    if kind == "screening":
        subject = _str(item, "subject", where, "child")
        if subject not in ("child", "caregiver"):
            raise InputError(f"{where}.subject must be child or caregiver")
        positive = item.get("positive")
        if positive is not None and not isinstance(positive, bool):
            raise InputError(f"{where}.positive must be true or false")
        return Event(
            **common,
            instrument=_str(item, "instrument", where),
            subject=subject,
            positive=positive,
            ace_score=_int(item, "ace_score", where, required=False),
            follow_up_plan=_bool(item, "follow_up_plan", where, False),
            prior_authorization=_bool(item, "prior_authorization", where, False),
        )
    if kind == "service":
        return Event(
            **common,
            service=_str(item, "service", where),
            minutes=_int(item, "minutes", where, required=False),
            child_present=_bool(item, "child_present", where, True),
        )
    raise InputError(f"{where}.type must be screening or service")


def _settings(raw: Any) -> Settings:
    if raw is None:
        return Settings()
    item = _obj(raw, "clinic")
    clinic_type = _str(item, "type", "clinic", "")
    if clinic_type not in CLINIC_TYPES:
        raise InputError("clinic.type must be fqhc, rhc, tribal or empty")
    overrides: dict[tuple[str, str], Override] = {}
    for n, entry in enumerate(item.get("overrides") or []):
        where = f"clinic.overrides[{n}]"
        entry = _obj(entry, where)
        params = _obj(entry.get("params") or {}, f"{where}.params")
        overrides[(_str(entry, "plan", where, ""), _str(entry, "rule", where))] = Override(
            _bool(entry, "enabled", where, True), params
        )
    return Settings(
        clinic_type=clinic_type,
        eight_minute_rule=_bool(item, "eight_minute_rule", "clinic", True),
        minutes_for_first_unit=_int(item, "minutes_for_first_unit", "clinic", required=False),
        overrides=overrides,
    )


def _unique(items: Sequence[Any], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise InputError(f"two {what} share the id {item.id!r}")
        seen.add(item.id)


def parse(raw: Any) -> Document:
    """The document, or ``InputError`` naming the first problem."""
    top = _obj(raw, "the file")
    payer = top.get("payer")
    if payer not in PAYERS:
        raise InputError(f"payer must be one of {', '.join(PAYERS)}")
    children = tuple(_child(c, f"children[{n}]") for n, c in enumerate(_list(top, "children", "$")))
    staff = tuple(_staff(s, f"staff[{n}]") for n, s in enumerate(_list(top, "staff", "$")))
    events = tuple(_event(e, f"events[{n}]") for n, e in enumerate(_list(top, "events", "$")))
    for items, what in ((children, "children"), (staff, "staff members"), (events, "events")):
        _unique(items, what)
    return Document(payer, children, staff, events, _settings(top.get("clinic")))


def line_json(line: Line, *, explain: bool = False) -> dict[str, Any]:
    """A line as the command prints it; ``explain`` adds the rule, reason codes and notes."""
    out: dict[str, Any] = {
        "event": line.event,
        "code": line.code,
        "modifiers": list(line.modifiers),
        "units": line.units,
        "status": line.status,
        "reasons": [describe(reason, line) for reason in line.reasons],
    }
    if explain:
        out["rule"] = line.rule_id
        out["date"] = line.date.isoformat()
        out["reason_codes"] = [reason.as_json() for reason in line.reasons]
        out["notes"] = [describe(note, line) for note in line.notes]
    return out
