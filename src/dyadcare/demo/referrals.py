"""Demo referrals from the screening history: for a share of the positive social-needs screens
of the last four months (a domain that ``referral_needs.json`` maps to a need, food or
housing), a referral to a service of the network's directory tagged for that need, with the
caregiver's verbal consent recorded by the clinic's dyadic specialist at the visit and the
referral given by print or phone. Each follows one of the paths a care team sees: the loop
closed (accepted, then completed by the organisation), under way, waiting past its follow-up
date with no answer, or ended without the service (family declined, not eligible, no
capacity, unable to contact), every change a history row as the workflow writes it.

Rates are assumptions for the demo (published loop-closure rates run from 24% to 85%,
../shared/domain/referrals.md): 40% of screens are referred; of those, 40% closed, 15% under
way, 25% waiting, 20% ended without the service. Rows are written by ``fast_insert`` with ids
derived from the demo seed, so a second run adds nothing.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from dyadcare.demo.families import NAMESPACE
from dyadcare.demo.fastinsert import fast_insert_objects
from dyadcare.referrals import workflow
from dyadcare.referrals.models import Attribute, Service, TaxonomyTerm
from dyadcare.referrals.models_referral import Referral, ReferralConsent, ReferralEvent
from dyadcare.referrals.rules import needs as searchable_needs
from dyadcare.referrals.sharing import DEFAULT_ITEMS
from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.models import Clinic, Membership
from dyadcare.tenancy.roles import Role

RECENT_DAYS = 120
REFER_SHARE = 0.4
# (share, the moves after "requested": (status, outcome, days after the previous, by))
PATHS: tuple[tuple[float, tuple[tuple[str, str, int, str], ...]], ...] = (
    (0.40, (("accepted", "", 3, "partner"), ("completed", "service-provided", 12, "partner"))),
    (0.15, (("accepted", "", 2, "partner"), ("in-progress", "", 5, "phone"))),
    (0.25, ()),
    (0.05, (("cancelled", "family-declined", 4, "staff"),)),
    (0.05, (("rejected", "not-eligible", 2, "partner"),)),
    (0.05, (("rejected", "no-capacity", 3, "partner"),)),
    (0.05, (("accepted", "", 2, "partner"), ("failed", "unable-to-contact", 10, "partner"))),
)


def _id(seed: int, *parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{seed}:referral:" + ":".join(str(p) for p in parts))


def _services_by_need(network_id: Any) -> dict[str, list[Service]]:
    """The network's active services tagged with each need's taxonomy terms (by name)."""
    out: dict[str, list[Service]] = {}
    for need in searchable_needs():
        terms = TaxonomyTerm.objects.filter(network_id=network_id, code__in=need.codes)
        tagged = Attribute.objects.filter(taxonomy_term__in=terms, service__isnull=False)
        found = Service.objects.filter(
            network_id=network_id, status=Service.Status.ACTIVE, pk__in=tagged.values("service_id")
        ).select_related("organization")
        out[need.key] = list(found.order_by("name")[:40])
    return out


def _specialists() -> dict[Any, Any]:
    """Each clinic's first dyadic specialist (the demo's, by username)."""
    rows = Membership.objects.filter(role=Role.DYADIC_SPECIALIST).order_by("user__username")
    chosen: dict[Any, Any] = {}
    for clinic_id, user_id in rows.values_list("clinic_id", "user_id"):
        chosen.setdefault(clinic_id, user_id)
    return chosen


@dataclass
class _Rows:
    referrals: list[Referral] = field(default_factory=list)
    consents: list[ReferralConsent] = field(default_factory=list)
    events: list[ReferralEvent] = field(default_factory=list)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _pick_path(rng: random.Random) -> tuple[tuple[str, str, int, str], ...]:
    roll, total = rng.random(), 0.0
    for share, moves in PATHS:
        total += share
        if roll < total:
            return moves
    return PATHS[-1][1]


def _one(
    seed: int, rng: random.Random, result: dict[str, Any], service: Service, rows: _Rows, today: date
) -> None:
    need, by_user, sent = result["need"], result["specialist"], result["day"]
    referral = Referral(
        id=_id(seed, result["id"], need),
        clinic_id=result["clinic_id"],
        child_id=result["child_id"],
        caregiver_id=result["caregiver_id"],
        need=need,
        basis=Referral.Basis.SCREENING,
        result_id=result["id"],
        requester_id=by_user,
        service=service,
        service_name=service.name[:300],
        organization_name=service.organization.name[:300] if service.organization else "",
        service_email=service.email[:254],
        status=Referral.Status.REQUESTED,
        sent_at=_at(sent, 11),
        channel=Referral.Channel.PRINT,
        language=result["language"],
    )
    rows.consents.append(
        ReferralConsent(
            id=_id(seed, result["id"], need, "consent"), clinic_id=referral.clinic_id, referral=referral,
            caregiver_id=referral.caregiver_id, method=ReferralConsent.Method.VERBAL, consented_on=sent,
            recorded_by_id=by_user, shares=list(DEFAULT_ITEMS),
        )
    )  # fmt: skip
    history = [("", "requested", "", sent, "staff")]
    day = sent
    for status, outcome, after, by in _pick_path(rng):
        if day + timedelta(days=after) > today:
            break
        day += timedelta(days=after)
        history.append((referral.status, status, outcome, day, by))
        referral.status, referral.business_status = status, outcome
    referral.due_on = workflow.next_due(referral.status, day)
    for number, (was, now, outcome, on, by) in enumerate(history):
        rows.events.append(
            ReferralEvent(
                id=_id(seed, referral.id, "event", number), clinic_id=referral.clinic_id, referral=referral,
                from_status=was or now, to_status=now, business_status=outcome, by=by,
                by_user_id=by_user if by != "partner" else None,
                caller="Front desk of the organization" if by == "phone" else "", at=_at(on, 11 + number),
            )
        )  # fmt: skip
    rows.referrals.append(referral)


def _positive_needs(anchor: date, specialists: dict[Any, Any]) -> list[dict[str, Any]]:
    """The recent positive results with a domain that maps to a need, oldest first."""
    since = timezone.make_aware(datetime.combine(anchor - timedelta(days=RECENT_DAYS), time.min))
    rows = ScreeningResult.objects.filter(positive=True, scored_at__gte=since, caregiver__isnull=False)
    found = []
    fields = ("id", "clinic_id", "child_id", "caregiver_id", "domains", "scored_at", "language")
    for result_id, clinic_id, child_id, carer, domains, scored_at, language in rows.values_list(*fields):
        positive = [d for d, yes in (domains or {}).items() if yes] if isinstance(domains, dict) else []
        need = next((n.key for d in positive if (n := workflow.need_for_domain(d))), "")
        if need and clinic_id in specialists:
            day = timezone.localtime(scored_at).date()
            found.append({
                "id": result_id, "clinic_id": clinic_id, "child_id": child_id, "caregiver_id": carer,
                "need": need, "day": day, "language": language if language in ("en", "es") else "en",
                "specialist": specialists[clinic_id],
            })  # fmt: skip
    return sorted(found, key=lambda r: (r["day"], str(r["id"])))


def build_referrals(*, seed: int, anchor: date, clinics: list[Clinic]) -> int:
    """Write the demo's referrals (nothing when they exist already); returns how many."""
    ids = [c.pk for c in clinics]
    if not ids or Referral.objects.filter(clinic_id__in=ids).exists():
        return 0
    services = _services_by_need(clinics[0].network_id)
    rng = random.Random(seed * 7919 + 13)
    rows = _Rows()
    for result in _positive_needs(anchor, {k: v for k, v in _specialists().items() if k in ids}):
        choices = services.get(result["need"]) or []
        if choices and rng.random() < REFER_SHARE:
            _one(seed, rng, result, choices[rng.randrange(len(choices))], rows, anchor)
    fast_insert_objects(Referral, rows.referrals)
    fast_insert_objects(ReferralConsent, rows.consents)
    fast_insert_objects(ReferralEvent, rows.events)
    return len(rows.referrals)
