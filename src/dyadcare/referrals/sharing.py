"""What leaves the clinic with a referral: the minimum the receiving organisation needs, and only
what the caregiver agreed to share.

The packet is built from the referral and its consent alone: the need (its words, never the
screening answers or scores), the child's first name and age, and the consenting caregiver's
name, phone or email and preferred language. Nothing of another caregiver is read; the
staff's reason stays in the clinic (it may name a result). A need with a sensitivity label
(safety at home: SDV) never carries the caregiver's contact unless the caregiver agreed to
exactly that. The organisation's page, the email and the FHIR resources all read this packet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from dyadcare.referrals import workflow
from dyadcare.referrals.models_referral import Referral

NEED = "need"
CHILD_FIRST_NAME = "child_first_name"
CHILD_AGE = "child_age"
CAREGIVER_NAME = "caregiver_name"
CAREGIVER_CONTACT = "caregiver_contact"
CAREGIVER_LANGUAGE = "caregiver_language"

ITEMS: dict[str, object] = {
    NEED: _("The need (not the screening answers)"),
    CHILD_FIRST_NAME: _("The child's first name"),
    CHILD_AGE: _("The child's age"),
    CAREGIVER_NAME: _("The caregiver's name"),
    CAREGIVER_CONTACT: _("The caregiver's phone and email"),
    CAREGIVER_LANGUAGE: _("The caregiver's preferred language"),
}
DEFAULT_ITEMS = (NEED, CHILD_FIRST_NAME, CHILD_AGE, CAREGIVER_NAME, CAREGIVER_CONTACT, CAREGIVER_LANGUAGE)


@dataclass(frozen=True)
class Packet:
    need_key: str
    need: str
    child_first_name: str
    child_age_months: int | None
    caregiver_name: str
    caregiver_phone: str
    caregiver_email: str
    caregiver_language: str
    clinic_name: str
    service_name: str


def age_in_months(born: date, on: date) -> int:
    months = (on.year - born.year) * 12 + on.month - born.month
    return max(0, months - (1 if on.day < born.day else 0))


def packet(referral: Referral, *, language: str, today: date) -> Packet:
    """What the organisation may see of ``referral`` (an empty packet without consent)."""
    consent = getattr(referral, "consent", None)
    shares = set(consent.shares) if consent is not None else set()
    need = workflow.needs().get(referral.need)
    caregiver = consent.caregiver if consent is not None else None
    contact = CAREGIVER_CONTACT in shares and caregiver is not None
    return Packet(
        need_key=referral.need if NEED in shares else "",
        need=workflow.label(need.label, language) if need and NEED in shares else "",
        child_first_name=referral.child.given_name if CHILD_FIRST_NAME in shares else "",
        child_age_months=age_in_months(referral.child.date_of_birth, today) if CHILD_AGE in shares else None,
        caregiver_name=caregiver.full_name if caregiver is not None and CAREGIVER_NAME in shares else "",
        caregiver_phone=caregiver.phone if contact and caregiver else "",
        caregiver_email=caregiver.email if contact and caregiver else "",
        caregiver_language=caregiver.preferred_language
        if caregiver is not None and CAREGIVER_LANGUAGE in shares
        else "",
        clinic_name=referral.clinic.name,
        service_name=referral.service_name,
    )
