"""A claim line as the billing pages show it: billing's row (reasons in plain words with their
fixes, notes) plus where each fix is made and whether the line rests on an inferred or
unverified rule (labelled wherever the line is shown)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from dyadcare.billing.models import ClaimLine
from dyadcare.billing.reasons import ReasonView, note_texts
from dyadcare.billing.selectors import LineRow


@dataclass(frozen=True)
class Fix:
    words: str
    url: str
    link: str


@dataclass(frozen=True)
class LineView:
    line: ClaimLine
    reasons: list[tuple[str, Fix]]
    notes: list[str]
    confidence: str  # "unverified", "inferred" or ""
    rules: list[tuple[str, str]]  # (confidence in words, rule id) of each inferred or unverified rule


def status_label(status: str) -> str:
    return str(ClaimLine.Status(status).label) if status in ClaimLine.Status.values else status


def _fix(reason: ReasonView, line: ClaimLine, slug: str) -> Fix:
    kind = reason.fix_kind
    if kind == "provider" and line.rendering_id:
        url, link = (
            reverse("web:billing_provider", args=[slug, line.rendering_id]),
            _("Provider's billing details"),
        )
    elif kind == "coverage":
        url, link = (
            reverse("web:billing_coverage", args=[slug, line.child_id]),
            _("Child's Medi-Cal coverage"),
        )
    elif kind in ("clinical", "therapy-basis") and line.source_kind == ClaimLine.Source.SERVICE:
        url, link = reverse("web:care_page", args=[slug, line.child_id]), _("Child's care page")
    elif kind in ("clinical", "therapy-basis"):
        url, link = reverse("web:child_detail", args=[slug, line.child_id]), _("Child's record")
    else:
        url, link = reverse("web:billing_line", args=[slug, line.pk]) + "#void-form", _("Void the line")
    return Fix(reason.fix, url, link)


def _rules(line: ClaimLine) -> list[tuple[str, str]]:
    found = []
    for note in line.notes or []:
        if isinstance(note, dict) and note.get("code") == "rule-confidence":
            params = note.get("params") or {}
            found.append((str(params.get("confidence", "")), str(params.get("rule", ""))))
    return found


def describe_row(row: LineRow, slug: str) -> LineView:
    """The row with its fixes' links; the rule-confidence notes apart, so a page can name each
    rule (an id, not words) and label the line inferred or unverified."""
    line = row.line
    reasons = [(reason.text, _fix(reason, line, slug)) for reason in row.reasons]
    rules = _rules(line)
    plain = [n for n in line.notes or [] if not (isinstance(n, dict) and n.get("code") == "rule-confidence")]
    notes = note_texts(line, plain)
    levels = {level for level, _rule in rules}
    confidence = "unverified" if "unverified" in levels else "inferred" if "inferred" in levels else ""
    return LineView(line, reasons, notes, confidence, rules)
