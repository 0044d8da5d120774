"""Reads of the care domain: a family's care page, a person's work, a specialist's caseload,
and the huddle's care notes. They check the permission, audit what they show, never write."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dyadcare.care.models import (
    CarePlan,
    EncounterNote,
    Goal,
    ServiceEntry,
    Task,
    TierAssignment,
    TierSuggestion,
)
from dyadcare.care.permissions import CarePerm
from dyadcare.care.rules import TierModel, need_labels, service_type, tier_model, tier_rules
from dyadcare.families.models import CareRelationship, Child
from dyadcare.screening.labels import may_read
from dyadcare.screening.models import Flag
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record, audit_record_many
from dyadcare.touchpoints.models import Visit

HIDDEN_NOTE = gettext_lazy("A sensitive note (not shown to your role).")
HIDDEN_GOAL = gettext_lazy("A goal about a sensitive need (not shown to your role).")


def _show_goals(actor: Actor, goals: Iterable[Goal]) -> None:
    """Each goal's ``shown_text`` and ``readable``: a goal whose need carries sensitivity labels
    (caregiver depression: PSY) is read only by those who may read such results."""
    for goal in goals:
        goal.readable = may_read(need_labels(goal.need), actor.permissions)  # type: ignore[attr-defined]
        goal.shown_text = goal.text if goal.readable else str(HIDDEN_GOAL)  # type: ignore[attr-defined]


def _child(child_id: uuid.UUID | str) -> Child:
    try:
        return Child.objects.get(pk=child_id, merged_into__isnull=True)
    except (Child.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def tiers_of(actor: Actor) -> TierModel:
    assert actor.clinic is not None
    return tier_model(actor.clinic.service_model)


@dataclass(frozen=True)
class NoteView:
    note: EncounterNote
    readable: bool

    @property
    def text(self) -> str:
        return self.note.text if self.readable else str(HIDDEN_NOTE)


@dataclass(frozen=True)
class SuggestionView:
    suggestion: TierSuggestion
    reason: str  # the rule's reason, or the hidden-result sentence


@dataclass(frozen=True)
class TierView:
    """A tier as set, with its reason as this viewer may read it: a reason that confirmed a
    suggestion from a labelled result is read only with that result's labels (else the
    hidden-result sentence); a rule's own words, accepted unchanged, in the page's language."""

    assignment: TierAssignment
    reason: str

    @property
    def tier(self) -> int:
        return self.assignment.tier


def _tier_views(actor: Actor, rows: list[TierAssignment], language: str) -> list[TierView]:
    rules = {r.key: r for r in tier_rules()}
    out = []
    for row in rows:
        reason = row.reason
        suggestion = row.suggestion
        if suggestion is not None:
            rule = rules.get(suggestion.rule)
            if not may_read(suggestion.result.sensitivity, actor.permissions):
                reason = str(_("A screen suggests more support."))
            elif rule is not None and reason in rule.reason.values():
                reason = rule.reason.get(language) or rule.reason["en"]
        out.append(TierView(row, reason))
    return out


@dataclass
class CarePage:
    child: Child
    tiers: TierModel
    tier: TierView | None
    history: list[TierView]
    suggestions: list[SuggestionView]
    plan: CarePlan | None
    goals: list[Goal]
    tasks: list[Task]
    notes: list[NoteView]
    services: list[ServiceEntry]
    relationships: list[CareRelationship]
    caregiver_names: dict[str, str] = field(default_factory=dict)
    # Free text the team writes (service notes, void reasons, the family's priorities) is read
    # by those who write care plans, as an unlabelled encounter note is.
    free_text_readable: bool = False
    flags: list[Flag] = field(default_factory=list)  # open alerts and follow-ups a task may serve
    visits: list[Visit] = field(default_factory=list)  # visits from today a task may serve


def care_page(*, actor: Actor, child_id: uuid.UUID | str, language: str = "en") -> CarePage:
    """Everything of the dyad's care on one page. Audited as one view of the child and of
    each note shown in full."""
    actor.require(CarePerm.VIEW)
    child = _child(child_id)
    history = _tier_views(
        actor,
        list(TierAssignment.objects.filter(child=child).select_related("set_by", "suggestion__result")),
        language,
    )
    plan = CarePlan.objects.filter(child=child, status=CarePlan.Status.OPEN).first()
    goals = list(plan.goals.select_related("owner")) if plan else []
    tasks = list(
        Task.objects.filter(child=child, status=Task.Status.OPEN).select_related("owner", "goal", "visit")
    )
    _show_goals(actor, [*goals, *(t.goal for t in tasks if t.goal)])
    relationships = list(CareRelationship.objects.filter(child=child).select_related("caregiver"))
    team = actor.can(CarePerm.PLAN_EDIT)
    notes = [
        NoteView(n, may_read(n.sensitivity, actor.permissions) if n.sensitivity else team)
        for n in EncounterNote.objects.filter(child=child).select_related("author")
    ]
    services = list(
        ServiceEntry.objects.filter(child=child)
        .select_related("delivered_by", "voided_by")
        .prefetch_related("revisions__changed_by")
    )
    page = CarePage(
        child=child,
        tiers=tiers_of(actor),
        tier=history[0] if history else None,
        history=history,
        suggestions=_suggestions(actor, child, language),
        plan=plan,
        goals=goals,
        tasks=tasks,
        notes=notes,
        services=services,
        relationships=relationships,
        caregiver_names={str(r.caregiver_id): str(r.caregiver) for r in relationships},
        free_text_readable=team,
        flags=list(Flag.objects.filter(child=child, resolved_at__isnull=True).order_by("-raised_at")),
        visits=list(
            Visit.objects.filter(
                child=child, status=Visit.Status.SCHEDULED, scheduled_for__date__gte=timezone.localdate()
            ).order_by("scheduled_for")[:10]
        ),
    )
    audit_record(actor=actor, action=Action.VIEW, obj=child, summary="care page")
    shown = [n.note for n in notes if n.readable]
    if shown:
        audit_record_many(actor=actor, action=Action.VIEW, objects=shown)
    return page


def _suggestions(actor: Actor, child: Child, language: str) -> list[SuggestionView]:
    """Open suggestions with the rule's reason; the reason names the kind of screen, so a
    viewer who may not see the result in full reads only that a screen suggests more support."""
    rules = {r.key: r for r in tier_rules()}
    rows = TierSuggestion.objects.filter(child=child, status=TierSuggestion.Status.OPEN).select_related(
        "result"
    )
    out = []
    for s in rows:
        rule = rules.get(s.rule)
        if rule and may_read(s.result.sensitivity, actor.permissions):
            reason = rule.reason.get(language) or rule.reason["en"]
        else:
            reason = _("A screen suggests more support.")
        out.append(SuggestionView(s, reason))
    return out


def service_label(key: str, language: str = "en") -> str:
    kind = service_type(key)
    return (kind.label.get(language) or kind.label["en"]) if kind else key


def entry_get(*, actor: Actor, child: Child, entry_id: uuid.UUID | str) -> ServiceEntry:
    actor.require(CarePerm.VIEW)
    try:
        return ServiceEntry.objects.select_related("child").get(pk=entry_id, child=child)
    except (ServiceEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def goal_get(*, actor: Actor, child: Child, goal_id: uuid.UUID | str) -> Goal:
    actor.require(CarePerm.VIEW)
    try:
        return Goal.objects.select_related("plan").get(pk=goal_id, plan__child=child)
    except (Goal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def task_get(*, actor: Actor, child: Child, task_id: uuid.UUID | str) -> Task:
    actor.require(CarePerm.VIEW)
    try:
        return Task.objects.get(pk=task_id, child=child)
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def care_child(*, actor: Actor, child_id: uuid.UUID | str) -> Child:
    """The child a care form writes about (404 for another clinic's); the service audits."""
    actor.require(CarePerm.VIEW)
    return _child(child_id)
