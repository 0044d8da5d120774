"""A claim line as the billing pages show it: each reason it is held in plain words with the
fix that releases it and a link to where that fix is made, its notes, and whether it rests on
an inferred or unverified rule (labelled wherever the line is shown)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dyadcare.billing.engine.inputs import Reason
from dyadcare.billing.engine.words import NOTES, REASONS, describe
from dyadcare.billing.models import ClaimLine

PROVIDER_FIXES = {"provider-not-aces-attested", "renderer-no-npi", "renderer-licence-unknown", "renderer-not-eligible"}
COVERAGE_FIXES = {"no-medi-cal-id", "child-not-enrolled"}
RECORD_FIXES = {"no-follow-up-plan", "needs-diagnosis-or-risk-factor", "before-birth"}
CARE_FIXES = {"no-minutes", "under-minimum-minutes"}
CONFIDENCE = {"inferred": gettext_lazy("inferred"), "unverified": gettext_lazy("unverified")}


@dataclass(frozen=True)
class Fix:
    words: str
    url: str = ""
    link: str = ""


@dataclass
class LineView:
    line: ClaimLine
    reasons: list[tuple[str, Fix]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    confidence: str = ""  # "inferred" or "unverified" when the line rests on such a rule


def _reason(raw: Any) -> Reason:
    if isinstance(raw, dict):
        return Reason(str(raw.get("code", "")), dict(raw.get("params") or {}))
    return Reason(str(raw))


def _fix_link(code: str, line: ClaimLine, slug: str) -> tuple[str, str]:
    if code in PROVIDER_FIXES:
        return reverse("web:billing_provider", args=[slug, line.rendering_id]), _("Provider's billing details")
    if code in COVERAGE_FIXES:
        return reverse("web:billing_coverage", args=[slug, line.child_id]), _("Child's Medi-Cal coverage")
    if code in RECORD_FIXES:
        return reverse("web:child_detail", args=[slug, line.child_id]), _("Child's record")
    if code in CARE_FIXES:
        return reverse("web:care_page", args=[slug, line.child_id]), _("Child's care page")
    return reverse("web:billing_line", args=[slug, line.pk]), _("Void the line")


def describe_line(line: ClaimLine, slug: str) -> LineView:
    shim = SimpleNamespace(code=line.code)
    language = (get_language() or "en")[:2]
    view = LineView(line)
    for raw in line.reasons or []:
        reason = _reason(raw)
        words = describe(reason, shim, _, language)  # type: ignore[arg-type]
        fix = _(REASONS[reason.code][1]) if reason.code in REASONS else ""
        url, link = _fix_link(reason.code, line, slug)
        view.reasons.append((words, Fix(fix, url, link)))
    for raw in line.notes or []:
        note = _reason(raw)
        if note.code == "rule-confidence":
            level = str(note.params.get("confidence", ""))
            if level == "unverified" or not view.confidence:
                view.confidence = level
            note = Reason(note.code, {**note.params, "confidence": str(CONFIDENCE.get(level, level))})
        if note.code in NOTES or note.code in REASONS:
            view.notes.append(describe(note, shim, _, language))  # type: ignore[arg-type]
    return view
