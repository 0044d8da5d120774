"""Writes of the care domain: keyword-only, take the Actor, check the permission, save and
audit in one transaction. A tier suggestion is never applied by itself: ``tier_set`` is the
only way a tier changes, and it is called by a person."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.care.audit_actions import CareAction
from dyadcare.care.events import ServiceLogged, ServiceRevised, ServiceVoided
from dyadcare.care.models import (
    CarePlan,
    EncounterNote,
    Goal,
    ServiceEntry,
    ServiceRevision,
    Task,
    TaskReassignment,
    TierAssignment,
    TierSuggestion,
)
from dyadcare.care.permissions import CarePerm
from dyadcare.care.rules import goal_template, needs, service_type, tier_model
from dyadcare.families.models import Caregiver, Child
from dyadcare.screening.labels import LABELS
from dyadcare.screening.models import Flag
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.tenancy.events import emit
from dyadcare.tenancy.models import Membership, User
from dyadcare.touchpoints.models import Visit


def staff_member(clinic_id: uuid.UUID, user_id: object, field: str = "owner") -> User:
    """An active staff member of the clinic, or a ValidationError at ``field``."""
    try:
        uid = user_id if isinstance(user_id, uuid.UUID) else uuid.UUID(str(user_id))
    except ValueError:
        uid = None
    membership = (
        Membership.objects.filter(clinic_id=clinic_id, active=True, user__is_active=True, user_id=uid)
        .select_related("user")
        .first()
        if uid
        else None
    )
    if membership is None:
        raise ValidationError({field: [_("Choose a staff member of this clinic.")]})
    return membership.user


def _begin(actor: Actor, perm: str, clinic_id: object) -> User:
    actor.require(perm)
    actor.require_clinic(clinic_id)
    assert actor.user is not None, "care records name the person who wrote them"
    return actor.user


@transaction.atomic
def tier_set(
    *,
    actor: Actor,
    child: Child,
    tier: int,
    reason: str,
    effective_on: date | None = None,
    suggestion_id: uuid.UUID | None = None,
) -> TierAssignment:
    """A person sets the child's tier (with why), confirming a suggestion if one is named."""
    user = _begin(actor, CarePerm.TIER_SET, child.clinic_id)
    assert actor.clinic is not None
    model = tier_model(actor.clinic.service_model)
    if tier not in model.levels:
        raise ValidationError({"tier": [_("Choose one of the clinic's tiers.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why this tier.")]})
    suggestion = None
    if suggestion_id is not None:
        open_ones = TierSuggestion.objects.filter(child=child, status=TierSuggestion.Status.OPEN)
        suggestion = open_ones.filter(pk=suggestion_id).first()
        if suggestion is None:
            raise ValidationError(
                {"suggestion": [_("That suggestion is not this child's, or was answered.")]}
            )
    today = timezone.localdate()
    row = TierAssignment(
        clinic_id=child.clinic_id,
        child=child,
        model=model.key,
        tier=tier,
        reason=reason.strip(),
        effective_on=effective_on or today,
        set_by=user,
        suggestion=suggestion,
    )
    row.full_clean()
    row.save()
    # Every open suggestion is now answered by this tier: the one named is accepted, the rest
    # were seen and set aside.
    answered = TierSuggestion.objects.filter(child=child, status=TierSuggestion.Status.OPEN)
    if suggestion is not None:
        answered.filter(pk=suggestion.pk).update(status=TierSuggestion.Status.ACCEPTED, answered_by=row)
        answered = answered.exclude(pk=suggestion.pk)
    answered.update(status=TierSuggestion.Status.DISMISSED, answered_by=row)
    audit_record(actor=actor, action=CareAction.TIER_SET, obj=row, summary=f"tier {tier}")
    return row


@transaction.atomic
def suggestion_record(
    *, actor: Actor, child_id: uuid.UUID, result_id: uuid.UUID, rule: str, tier: int
) -> bool:
    """Store a rule's suggestion (a background listener's write; never the tier itself)."""
    assert actor.clinic is not None
    _, created = TierSuggestion.objects.get_or_create(
        result_id=result_id,
        rule=rule,
        defaults={"clinic_id": actor.clinic.pk, "child_id": child_id, "tier": tier},
    )
    return created


@transaction.atomic
def plan_open(
    *, actor: Actor, child: Child, language: str, next_review_on: date, priorities: str = ""
) -> CarePlan:
    user = _begin(actor, CarePerm.PLAN_EDIT, child.clinic_id)
    if CarePlan.objects.filter(child=child, status=CarePlan.Status.OPEN).exists():
        raise ValidationError(_("This family already has an open care plan."))
    plan = CarePlan(
        clinic_id=child.clinic_id,
        child=child,
        language=language,
        next_review_on=next_review_on,
        priorities=priorities,
        created_by=user,
    )
    _review_not_past(next_review_on, "next_review_on")
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action=CareAction.PLAN_OPENED, obj=plan)
    return plan


def _review_not_past(day: date, field: str) -> None:
    if day < timezone.localdate():
        raise ValidationError({field: [_("The date cannot be in the past.")]})


@transaction.atomic
def goal_add(
    *,
    actor: Actor,
    plan: CarePlan,
    need: str,
    text: str,
    steps: str,
    owner_id: object,
    review_on: date,
    template: str = "",
) -> Goal:
    """A goal agreed with the family, in the plan's language (a template's words when the
    text is left empty)."""
    _begin(actor, CarePerm.PLAN_EDIT, plan.clinic_id)
    if plan.status != CarePlan.Status.OPEN:
        raise ValidationError(_("This care plan is closed."))
    chosen = goal_template(template) if template else None
    if template and chosen is None:
        raise ValidationError({"template": [_("Choose a goal from the list.")]})
    if chosen is not None:
        need = need or chosen.need
        text = text.strip() or chosen.text.get(plan.language, chosen.text["en"])
        steps = steps.strip() or chosen.steps.get(plan.language, chosen.steps["en"])
    if not text.strip():
        raise ValidationError({"text": [_("Write the goal, or choose one from the list.")]})
    if need and need != "judgement" and need not in dict(needs("en")):
        raise ValidationError({"need": [_("Choose a need from the list.")]})
    _review_not_past(review_on, "review_on")
    goal = Goal(
        clinic_id=plan.clinic_id,
        plan=plan,
        need=need or "judgement",
        template=template,
        text=text.strip(),
        language=plan.language,
        steps=steps.strip(),
        owner=staff_member(plan.clinic_id, owner_id),
        review_on=review_on,
    )
    goal.full_clean()
    goal.save()
    audit_record(actor=actor, action=CareAction.GOAL_ADDED, obj=goal, summary=f"need {goal.need}")
    return goal


@transaction.atomic
def goal_close(*, actor: Actor, goal: Goal, outcome: str) -> Goal:
    user = _begin(actor, CarePerm.PLAN_EDIT, goal.clinic_id)
    if outcome not in Goal.Outcome.values or outcome == Goal.Outcome.ACTIVE:
        raise ValidationError({"outcome": [_("Choose how the goal ended.")]})
    current = Goal.objects.select_for_update().get(pk=goal.pk)
    if current.outcome != Goal.Outcome.ACTIVE:
        raise ValidationError(_("This goal is already closed."))
    current.outcome, current.closed_at, current.closed_by = outcome, timezone.now(), user
    current.save(update_fields=["outcome", "closed_at", "closed_by", "updated_at"])
    audit_record(actor=actor, action=CareAction.GOAL_CLOSED, obj=current, summary=outcome)
    return current


@transaction.atomic
def task_add(
    *,
    actor: Actor,
    child: Child,
    title: str,
    owner_id: object,
    due_on: date,
    goal: Goal | None = None,
    flag_id: uuid.UUID | None = None,
    visit_id: uuid.UUID | None = None,
) -> Task:
    user = _begin(actor, CarePerm.TASK_MANAGE, child.clinic_id)
    if not title.strip():
        raise ValidationError({"title": [_("Say what needs doing.")]})
    if goal is not None and goal.plan.child_id != child.pk:
        raise ValidationError({"goal": [_("That goal is not this family's.")]})
    if flag_id is not None and not Flag.objects.filter(pk=flag_id, child=child).exists():
        raise ValidationError({"flag": [_("That alert is not this family's.")]})
    if visit_id is not None and not Visit.objects.filter(pk=visit_id, child=child).exists():
        raise ValidationError({"visit": [_("That visit is not this family's.")]})
    task = Task(
        clinic_id=child.clinic_id,
        child=child,
        title=title.strip(),
        owner=staff_member(child.clinic_id, owner_id),
        due_on=due_on,
        goal=goal,
        flag_id=flag_id,
        visit_id=visit_id,
        created_by=user,
    )
    task.full_clean()
    task.save()
    audit_record(actor=actor, action=CareAction.TASK_ADDED, obj=task)
    return task


@transaction.atomic
def task_reassign(*, actor: Actor, task: Task, owner_id: object, reason: str) -> Task:
    """Hand an open task to someone else (when its owner is away), keeping who had it."""
    user = _begin(actor, CarePerm.TASK_MANAGE, task.clinic_id)
    current = Task.objects.select_for_update().get(pk=task.pk)
    if current.status != Task.Status.OPEN:
        raise ValidationError(_("This task is already closed."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the task changes hands.")]})
    owner = staff_member(task.clinic_id, owner_id)
    TaskReassignment.objects.create(
        clinic_id=task.clinic_id,
        task=current,
        from_owner_id=current.owner_id,
        to_owner=owner,
        reason=reason.strip(),
        by=user,
    )
    current.owner = owner
    current.save(update_fields=["owner", "updated_at"])
    audit_record(actor=actor, action=CareAction.TASK_REASSIGNED, obj=current, summary=f"owner {owner.pk}")
    return current


@transaction.atomic
def task_close(*, actor: Actor, task: Task, status: str, outcome_note: str) -> Task:
    """Done or cancelled, with what was done (nothing is done without a word from someone)."""
    user = _begin(actor, CarePerm.TASK_MANAGE, task.clinic_id)
    if status not in (Task.Status.DONE, Task.Status.CANCELLED):
        raise ValidationError({"status": [_("Choose done or cancelled.")]})
    if not outcome_note.strip():
        raise ValidationError({"outcome_note": [_("Say what was done, or why it is cancelled.")]})
    current = Task.objects.select_for_update().get(pk=task.pk)
    if current.status != Task.Status.OPEN:
        raise ValidationError(_("This task is already closed."))
    current.status, current.outcome_note = status, outcome_note.strip()
    current.done_at, current.done_by = timezone.now(), user
    current.save(update_fields=["status", "outcome_note", "done_at", "done_by", "updated_at"])
    audit_record(actor=actor, action=CareAction.TASK_CLOSED, obj=current, summary=status)
    return current


@transaction.atomic
def note_write(
    *, actor: Actor, child: Child, text: str, sensitivity: Iterable[str], caregiver: Caregiver | None = None
) -> EncounterNote:
    user = _begin(actor, CarePerm.PLAN_EDIT, child.clinic_id)
    labels = sorted(set(sensitivity))
    if any(label not in LABELS for label in labels):
        raise ValidationError({"sensitivity": [_("Choose labels from the list.")]})
    if not text.strip():
        raise ValidationError({"text": [_("Write the note.")]})
    note = EncounterNote(
        clinic_id=child.clinic_id,
        child=child,
        caregiver=caregiver,
        text=text.strip(),
        sensitivity=labels,
        author=user,
    )
    note.full_clean()
    note.save()
    audit_record(actor=actor, action=CareAction.NOTE_WRITTEN, obj=note, summary=",".join(labels))
    return note


SERVICE_FIELDS = (
    "service_type",
    "delivered_on",
    "minutes",
    "place",
    "delivered_by",
    "child_present",
    "caregiver_ids",
    "goal",
    "note",
)


def _check_service(entry: ServiceEntry, child: Child) -> None:
    """The entry's own rules, then what its service type needs (data: service_types.json)."""
    errors: dict[str, list[str]] = {}
    kind = service_type(entry.service_type)
    if kind is None:
        errors["service_type"] = [_("Choose a service from the list.")]
    if entry.delivered_on and entry.delivered_on > timezone.localdate():
        errors["delivered_on"] = [_("A service cannot be logged before it happens.")]
    if entry.delivered_on and entry.delivered_on < child.date_of_birth:
        errors["delivered_on"] = [_("The date is before the child was born.")]
    family = {str(pk) for pk in child.care_relationships.values_list("caregiver_id", flat=True)}
    if any(str(c) not in family for c in entry.caregiver_ids):
        errors["caregiver_ids"] = [_("Choose the child's own caregivers.")]
    if kind is not None:
        if "minutes" in kind.needs and not entry.minutes:
            errors.setdefault("minutes", [_("Say how many minutes this service took.")])
        if "caregiver" in kind.needs and not entry.caregiver_ids:
            errors["caregiver_ids"] = [_("This service needs a caregiver who took part.")]
        if "child" in kind.needs and not entry.child_present:
            errors["child_present"] = [_("This service needs the child present.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def service_log(
    *,
    actor: Actor,
    child: Child,
    service_type: str,
    delivered_on: date,
    minutes: int | None,
    place: str,
    delivered_by_id: object,
    child_present: bool,
    caregiver_ids: Iterable[object],
    note: str = "",
    goal: Goal | None = None,
) -> ServiceEntry:
    """Log one service delivered to the dyad, with who took part."""
    user = _begin(actor, CarePerm.PLAN_EDIT, child.clinic_id)
    entry = ServiceEntry(
        clinic_id=child.clinic_id,
        child=child,
        service_type=service_type,
        delivered_on=delivered_on,
        minutes=minutes,
        place=place,
        delivered_by=staff_member(child.clinic_id, delivered_by_id, "delivered_by"),
        child_present=child_present,
        caregiver_ids=sorted({str(c) for c in caregiver_ids}),
        note=note.strip(),
        goal=goal,
        recorded_by=user,
    )
    entry.full_clean()
    _check_service(entry, child)
    entry.save()
    audit_record(actor=actor, action=CareAction.SERVICE_LOGGED, obj=entry, summary=service_type)
    emit(ServiceLogged(clinic_id=entry.clinic_id, service_id=entry.pk, child_id=entry.child_id))
    return entry


def _snapshot(entry: ServiceEntry) -> dict[str, object]:
    data = model_to_dict(entry, fields=[f for f in SERVICE_FIELDS if f not in ("delivered_by", "goal")])
    data["delivered_on"] = entry.delivered_on.isoformat()
    data["delivered_by"] = str(entry.delivered_by_id)
    data["goal"] = str(entry.goal_id) if entry.goal_id else None
    return data


@transaction.atomic
def service_change(
    *, actor: Actor, entry: ServiceEntry, reason: str, changes: dict[str, object]
) -> ServiceEntry:
    """Correct a logged service; the version before is kept with who changed it and why."""
    _begin(actor, CarePerm.PLAN_EDIT, entry.clinic_id)
    assert actor.user is not None
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the entry changes.")]})
    current = ServiceEntry.objects.select_for_update().select_related("child").get(pk=entry.pk)
    if current.voided_at is not None:
        raise ValidationError(_("This entry is void."))
    before = _snapshot(current)
    for name, value in changes.items():
        if name not in SERVICE_FIELDS or name in ("delivered_by", "goal"):
            raise ValueError(f"not a field a person may change: {name}")
        setattr(current, name, value)
    if "delivered_by" in changes:
        current.delivered_by = staff_member(current.clinic_id, changes["delivered_by"], "delivered_by")
    current.caregiver_ids = sorted({str(c) for c in current.caregiver_ids})
    current.full_clean()
    _check_service(current, current.child)
    ServiceRevision.objects.create(
        clinic_id=current.clinic_id,
        entry=current,
        version=current.version,
        snapshot=before,
        reason=reason.strip(),
        changed_by=actor.user,
    )
    current.version += 1
    current.save()
    changed = sorted(k for k, v in _snapshot(current).items() if before.get(k) != v)
    audit_record(actor=actor, action=CareAction.SERVICE_CHANGED, obj=current, summary=",".join(changed))
    emit(ServiceRevised(clinic_id=current.clinic_id, service_id=current.pk, child_id=current.child_id))
    return current


@transaction.atomic
def service_void(*, actor: Actor, entry: ServiceEntry, reason: str) -> ServiceEntry:
    """Void a logged service (logged in error): it stays, marked void, with who and why."""
    user = _begin(actor, CarePerm.PLAN_EDIT, entry.clinic_id)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the entry is void.")]})
    current = ServiceEntry.objects.select_for_update().get(pk=entry.pk)
    if current.voided_at is not None:
        raise ValidationError(_("This entry is already void."))
    current.voided_at, current.voided_by, current.void_reason = timezone.now(), user, reason.strip()
    current.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_at"])
    audit_record(actor=actor, action=CareAction.SERVICE_VOIDED, obj=current)
    emit(ServiceVoided(clinic_id=current.clinic_id, service_id=current.pk, child_id=current.child_id))
    return current
