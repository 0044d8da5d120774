"""A line's reasons and notes in the reader's language, each reason with the fix that releases
it (the words are the engine's, billing/engine/words.py, translated here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext

from dyadcare.billing.engine import Reason
from dyadcare.billing.engine.words import NOTES, REASONS, HasCode, describe

# What each fix asks for, so a page can offer the form that records it.
FIX_KIND = {
    "provider-not-aces-attested": "provider",
    "renderer-no-npi": "provider",
    "renderer-licence-unknown": "provider",
    "renderer-not-eligible": "provider",
    "no-medi-cal-id": "coverage",
    "child-not-enrolled": "coverage",
    "needs-diagnosis-or-risk-factor": "therapy-basis",
    "no-follow-up-plan": "clinical",
    "no-minutes": "clinical",
    "under-minimum-minutes": "clinical",
    "no-rendering-provider": "clinical",
    "before-birth": "clinical",
}


@dataclass(frozen=True)
class ReasonView:
    code: str
    text: str
    fix: str
    fix_kind: str  # provider | coverage | therapy-basis | clinical (in the record) | void


def _reason(raw: Mapping[str, Any]) -> Reason:
    return Reason(str(raw.get("code", "")), dict(raw.get("params") or {}))


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def reason_views(line: HasCode, reasons: list[Mapping[str, Any]]) -> list[ReasonView]:
    """Each reason a line is held, in words, with the fix that releases it."""
    out = []
    for raw in reasons:
        reason = _reason(raw)
        fix = REASONS[reason.code][1] if reason.code in REASONS else ""
        out.append(
            ReasonView(
                reason.code,
                describe(reason, line, gettext, _language()),
                gettext(fix) if fix else "",
                FIX_KIND.get(reason.code, "void"),
            )
        )
    return out


def note_texts(line: HasCode, notes: list[Mapping[str, Any]]) -> list[str]:
    """What a person should know about a line without it holding the line, in words."""
    return [describe(_reason(raw), line, gettext, _language()) for raw in notes]


def known_codes() -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(REASONS), frozenset(NOTES)
