"""Reasons and notes in plain words, and the fix that releases a held line. No Django: the
command line prints the English; the app translates the same strings (``gettext_noop`` marks
them for the catalogue, see billing/reasons.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from dyadcare.billing.engine.inputs import Reason
from dyadcare.billing.engine.ruleset import ruleset


class HasCode(Protocol):
    @property
    def code(self) -> str: ...


def gettext_noop(message: str) -> str:
    """Marks a string for the translation catalogue without translating it here."""
    return message


# code -> (what is wrong, the fix that releases the line)
REASONS: Mapping[str, tuple[str, str]] = {
    "no-follow-up-plan": (
        gettext_noop("no follow-up plan documented for this positive maternal depression screen"),
        gettext_noop("Document a follow-up plan: resolve the screen's follow-up with a note."),
    ),
    "after-first-year": (
        gettext_noop(
            "after the infant's first birthday: maternal depression screening bills in the first year only"
        ),
        gettext_noop("Not billable under the infant's ID: void the line."),
    ),
    "frequency-limit": (
        gettext_noop("frequency limit reached: at most %(max)s %(window)s"),
        gettext_noop("Not billable again so soon: void the line, or void the earlier one if it was wrong."),
    ),
    "needs-diagnosis-or-risk-factor": (
        gettext_noop("more than %(max)s family therapy sessions without a diagnosis or a listed risk factor"),
        gettext_noop(
            "Record the child's mental health diagnosis or a listed risk factor of the child or a caregiver."
        ),
    ),
    "provider-not-aces-attested": (
        gettext_noop("the rendering provider has not attested ACEs Aware training"),
        gettext_noop("Record the provider's ACEs Aware attestation date."),
    ),
    "renderer-not-eligible": (
        gettext_noop("the rendering provider's licence (%(licence)s) cannot render %(code)s"),
        gettext_noop("Correct the provider's licence, or void the line (the service was not billable)."),
    ),
    "renderer-licence-unknown": (
        gettext_noop("the rendering provider's licence (%(licence)s) is not one billing knows"),
        gettext_noop("Record the provider's licence type."),
    ),
    "no-rendering-provider": (
        gettext_noop("no rendering provider: the work names no staff member"),
        gettext_noop("Record who delivered it in the visit or the service log."),
    ),
    "renderer-no-npi": (
        gettext_noop("the rendering provider has no NPI"),
        gettext_noop("Record the provider's NPI."),
    ),
    "child-not-enrolled": (
        gettext_noop("the child is not enrolled in Medi-Cal"),
        gettext_noop("Record the child's Medi-Cal enrolment once confirmed, or void the line."),
    ),
    "no-medi-cal-id": (
        gettext_noop("the child has no Medi-Cal ID (CIN) on file"),
        gettext_noop("Add the child's Medi-Cal ID (CIN)."),
    ),
    "over-age": (
        gettext_noop("the child was %(years)s or older on the date of service"),
        gettext_noop("Not billable for this child: void the line."),
    ),
    "needs-prior-authorization": (
        gettext_noop("a child of 6 or more needs prior authorization for this screening"),
        gettext_noop("Record the prior authorization, or void the line."),
    ),
    "no-minutes": (
        gettext_noop("no minutes recorded for a timed service"),
        gettext_noop("Record the service's minutes in the service log."),
    ),
    "under-minimum-minutes": (
        gettext_noop("%(minutes)s minutes is under the %(needed)s needed for one unit"),
        gettext_noop("Correct the minutes in the service log if they were wrong, else void the line."),
    ),
    "not-in-effect": (
        gettext_noop("%(code)s was not a covered code on the date of service"),
        gettext_noop("Check the date of service in the log, else void the line."),
    ),
    "before-birth": (
        gettext_noop("the date of service is before the child's birth"),
        gettext_noop("Correct the date of service or the child's date of birth."),
    ),
}

NOTES: Mapping[str, str] = {
    "rule-confidence": gettext_noop("rests on an %(confidence)s rule (%(rule)s): confirm with the payer"),
    "may-duplicate-well-child": gettext_noop(
        "may duplicate the medical well-child visit: bill only what that visit did not cover"
    ),
    "caregiver-service-under-child-id": gettext_noop(
        "a dyadic caregiver service, billed under the child's Medi-Cal ID whatever the caregiver's coverage"
    ),
    "associate-no-supervisor": gettext_noop("an associate renders it: record the supervising clinician"),
    "fqhc.dyadic-ffs": gettext_noop(
        "FQHC/RHC: paid the fee-for-service rate outside PPS, exempt from the one-visit-a-day rule"
    ),
    "fqhc.ace-on-top": gettext_noop("FQHC/RHC: paid on top of PPS"),
    "source-voided-after-export": gettext_noop(
        "its source was voided after it was exported: send the payer a void or replacement claim"
    ),
}

WINDOWS: Mapping[tuple[str, str], str] = {
    ("first-year", "child"): gettext_noop("in the infant's first year"),
    ("12-months", "provider"): gettext_noop("per 12 months by one provider"),
    ("12-months", "child"): gettext_noop("per 12 months"),
    ("day", "child"): gettext_noop("a day for the child (one provider bills it)"),
    ("lifetime", "child"): gettext_noop("without a diagnosis"),
}


CONFIDENCE: Mapping[str, str] = {
    "inferred": gettext_noop("inferred"),
    "unverified": gettext_noop("unverified"),
}


def params_of(reason: Reason, line: HasCode, translate: Any = None, language: str = "en") -> dict[str, Any]:
    """The values a reason's words name (the code, the window and the licence in words)."""
    params: dict[str, Any] = {"code": line.code, **dict(reason.params)}
    labels = ruleset().licence_labels.get(str(params.get("licence", "")))
    if labels:
        params["licence"] = labels.get(language) or labels["en"]
    if translate and params.get("confidence") in CONFIDENCE:
        params["confidence"] = translate(CONFIDENCE[params["confidence"]])
    if "window" in params:
        words = WINDOWS.get((params["window"], params.get("per", "child")), params["window"])
        params["window"] = translate(words) if translate else words
    return params


def describe(reason: Reason, line: HasCode, translate: Any = None, language: str = "en") -> str:
    """A reason or a note in words (English, or through ``translate``)."""
    template = REASONS[reason.code][0] if reason.code in REASONS else NOTES.get(reason.code, reason.code)
    template = translate(template) if translate else template
    try:
        return template % params_of(reason, line, translate, language)
    except (KeyError, TypeError, ValueError):
        return template


def fix_for(code: str) -> str:
    """The fix that releases a line held for ``code`` (English)."""
    return REASONS[code][1] if code in REASONS else ""
