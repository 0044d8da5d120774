"""The visit summary a family takes home: what it holds and in which language.

It holds the results about the child only: a result about a caregiver themself, or one with a
sensitivity label, is never printed for the family (whoever prints it). It is written in the
family's preferred language (the primary caregiver's, the first added when several are),
unless staff choose another for this print, and names the next visit booked after this one
(not the visit itself). Opening it is audited as a print of the visit."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from dyadcare.families.models import CareRelationship, Child
from dyadcare.screening.selectors import ResultView, family_summary_results
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.touchpoints.models import Visit


@dataclass(frozen=True)
class FamilySummary:
    visit: Visit
    child: Child
    language: str
    preferred_language: str
    results: list[ResultView]
    next_visit: Visit | None


def family_summary(*, actor: Actor, visit: Visit, language: str | None = None) -> FamilySummary:
    """The summary of ``visit`` in ``language`` (when None or not one the product speaks: the
    family's preferred language, else English)."""
    preferred = _preferred_language(visit.child)
    offered = {code for code, _name in settings.LANGUAGES}
    chosen = next(code for code in (language, preferred, "en") if code in offered)
    shown = family_summary_results(actor=actor, visit=visit, language=chosen)
    audit_record(actor=actor, action=Action.PRINT, obj=visit, summary=f"family summary ({chosen})")
    return FamilySummary(
        visit=visit,
        child=visit.child,
        language=chosen,
        preferred_language=preferred,
        results=shown,
        next_visit=_next_booked(visit),
    )


def _preferred_language(child: Child) -> str:
    primary = (
        CareRelationship.objects.filter(child=child)
        .select_related("caregiver")
        .order_by("-is_primary", "created_at", "pk")
        .first()
    )
    return primary.caregiver.preferred_language if primary else "en"


def _next_booked(visit: Visit) -> Visit | None:
    return (
        Visit.objects.filter(
            child=visit.child_id,
            status=Visit.Status.SCHEDULED,
            scheduled_for__gt=visit.scheduled_for,
        )
        .order_by("scheduled_for")
        .first()
    )
