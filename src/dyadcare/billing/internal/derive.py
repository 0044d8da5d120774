"""Claim lines follow their source: evaluate some children's work with the one engine and write
the result, updating a source's line for its slot (never a second one), voiding the lines of
a source that is void or no longer billable, and keeping each change in the line's history.

A line the evaluator no longer owns is left alone: an exported line (it is on a batch; its
source then only gains a note) and a line a person voided. Exported lines count toward the
frequency limits of the rest."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from dyadcare.billing import engine
from dyadcare.billing.internal.inputs import (
    ChildWork,
    clinic_settings,
    read_work,
    source_of,
    staff_inputs,
    staff_of,
)
from dyadcare.billing.models import ClaimLine, ClaimLineChange
from dyadcare.tenancy.models import Clinic, User

Status = ClaimLine.Status
Insert = Callable[[type[models.Model], Sequence[models.Model]], None]
CONTENT = (
    "diagnosis_codes",
    "code",
    "modifiers",
    "units",
    "minutes",
    "reasons",
    "reason_codes",
    "rendering_id",
    "service_date",
    "medi_cal_id",
    "plan",
    "rule_id",
)


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    voided: int = 0
    unchanged: int = 0


def _locked(line: ClaimLine) -> bool:
    return line.status == Status.EXPORTED or (line.status == Status.VOIDED and line.voided_by_staff)


def _history(lines: Iterable[ClaimLine], groups: dict[str, str]) -> list[engine.PriorLine]:
    return [
        engine.PriorLine(
            str(line.child_id),
            str(line.rendering_id or ""),
            line.service_date,
            line.code,
            groups.get(line.rule_id, ""),
        )
        for line in lines
        if line.status == Status.EXPORTED
    ]


def _change(
    line: ClaimLine, before: str, by: User | None, why: str, detail: dict[str, object]
) -> ClaimLineChange:
    return ClaimLineChange(
        clinic_id=line.clinic_id,
        line=line,
        from_status=before,
        to_status=line.status,
        by=by,
        why=why,
        detail=detail,
    )


def _values(found: engine.Line, rules: engine.RuleSet, z_codes: dict[str, object]) -> dict[str, object]:
    return {
        "diagnosis_codes": list(rules.diagnosis_for(found.code, found.modifiers, z_codes)),
        "code": found.code,
        "modifiers": list(found.modifiers),
        "units": found.units,
        "minutes": found.minutes,
        "reasons": [r.as_json() for r in found.reasons],
        "reason_codes": (" " + " ".join(r.code for r in found.reasons) + " ") if found.reasons else "",
        "notes": [n.as_json() for n in found.notes],
        "rendering_id": uuid.UUID(found.staff) if found.staff else None,
        "service_date": found.date,
        "medi_cal_id": found.medi_cal_id,
        "plan": found.plan,
        "rule_id": found.rule_id,
    }


class _Writer:
    def __init__(
        self, clinic: Clinic, by: User | None, rules: engine.RuleSet, z_codes: dict[str, object]
    ) -> None:
        self.clinic, self.by, self.rules, self.z_codes = clinic, by, rules, z_codes
        self.now = timezone.now()
        self.create: list[ClaimLine] = []
        self.update: list[ClaimLine] = []
        self.changes: list[ClaimLineChange] = []
        self.outcome = Outcome()

    def new(self, found: engine.Line) -> None:
        kind, source_id = source_of(found.event)
        line = ClaimLine(
            clinic=self.clinic,
            child_id=uuid.UUID(found.child),
            source_kind=kind,
            source_id=source_id,
            slot=found.slot,
            payer="medi-cal",
            status=found.status,
            evaluated_at=self.now,
            **_values(found, self.rules, self.z_codes),
        )
        self.create.append(line)
        self.changes.append(_change(line, "", self.by, "evaluated", {}))
        self.outcome.created += 1

    def refresh(self, line: ClaimLine, found: engine.Line) -> None:
        values = _values(found, self.rules, self.z_codes)
        diff: dict[str, object] = {
            k: [str(getattr(line, k)), str(v)]
            for k, v in values.items()
            if k in CONTENT and getattr(line, k) != v
        }
        status = found.status
        if line.status == Status.RELEASED and status == Status.READY and not diff:
            status = Status.RELEASED  # released and still billable as released: it stays released
        if not diff and status == line.status and line.notes == values["notes"]:
            self.outcome.unchanged += 1
            return
        before = line.status
        for key, value in values.items():
            setattr(line, key, value)
        line.status, line.evaluated_at = status, self.now
        self.update.append(line)
        if diff or before != status:
            self.changes.append(
                _change(line, before, self.by, "source-changed" if diff else "re-evaluated", diff)
            )
        self.outcome.updated += 1

    def void(self, line: ClaimLine, why: str) -> None:
        if line.status == Status.VOIDED:
            return
        before = line.status
        line.status, line.evaluated_at = Status.VOIDED, self.now
        self.update.append(line)
        self.changes.append(_change(line, before, self.by, why, {}))
        self.outcome.voided += 1

    def note_exported(self, line: ClaimLine, why: str) -> None:
        note = {"code": why}
        if note not in line.notes:
            line.notes = [*line.notes, note]
            self.update.append(line)
            self.changes.append(_change(line, line.status, self.by, why, {}))

    def save(self, insert: Insert | None = None) -> None:
        if insert is None:
            ClaimLine.objects.bulk_create(self.create)
            ClaimLineChange.objects.bulk_create(self.changes)
        else:  # the demo's fast writer: the new lines and every change row, unvalidated
            insert(ClaimLine, self.create)
            insert(ClaimLineChange, self.changes)
        fields = ["status", "evaluated_at", "notes", *CONTENT, "updated_at"]
        for line in self.update:
            line.updated_at = self.now
        ClaimLine.objects.bulk_update(self.update, fields)


def _apply(writer: _Writer, work: ChildWork, existing: list[ClaimLine], found: list[engine.Line]) -> None:
    by_key = {(line.source_kind, line.source_id, line.slot): line for line in existing}
    produced: set[tuple[str, uuid.UUID, str]] = set()
    for item in found:
        kind, source_id = source_of(item.event)
        key = (kind, source_id, item.slot)
        produced.add(key)
        line = by_key.get(key)
        if line is None:
            writer.new(item)
        elif not _locked(line):
            writer.refresh(line, item)
    for key, line in by_key.items():
        if key in produced or line.status == Status.VOIDED:
            continue
        gone = (key[0], key[1]) in work.voided_sources
        if line.status == Status.EXPORTED:
            if gone:
                writer.note_exported(line, "source-voided-after-export")
            continue
        writer.void(line, "source-voided" if gone else "no-longer-billable")


def derive(
    *, clinic: Clinic, child_ids: Iterable[uuid.UUID], by: User | None = None, insert: Insert | None = None
) -> Outcome:
    """Evaluate the children's work and write their lines (inside the clinic's scope and the
    caller's transaction). ``insert`` writes the new rows in place of ``bulk_create`` (the demo
    generator's raw insert, for hundreds of thousands of lines)."""
    rules = engine.ruleset("medi-cal")
    settings_row, settings = clinic_settings(clinic)
    work = read_work(child_ids, rules, settings_row.default_plan)
    existing = list(ClaimLine.objects.filter(child_id__in=list(work)).select_for_update())
    by_child: dict[uuid.UUID, list[ClaimLine]] = {pk: [] for pk in work}
    for line in existing:
        by_child[line.child_id].append(line)
    staff = staff_inputs(staff_of(work.values()))
    groups = {rule.id: rule.count_group for rule in rules.rules}
    writer = _Writer(clinic, by, rules, dict(settings_row.z_codes or {}))
    for pk, child_work in work.items():
        lines = by_child[pk]
        locked = {(line.source_kind, line.source_id) for line in lines if _locked(line)}
        events = [e for e in child_work.events if source_of(e.id) not in locked]
        found = engine.evaluate(
            ruleset=rules,
            children=[child_work.child],
            staff=staff.values(),
            events=events,
            history=_history(lines, groups),
            settings=settings,
        )
        _apply(writer, child_work, lines, found)
    writer.save(insert)
    return writer.outcome
