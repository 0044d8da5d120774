"""Demo care coordination from the screening history: each child whose screens a tier rule
matches gets a tier set by the clinic's dyadic specialist (recent ones are left as open
suggestions, as a team would find them on the morning of a huddle); most families in tier 2
or 3 have a care plan with one or two goals from the templates in the family's language, an
open task for its owner (some overdue, some due this week or next) and a few logged services.

Rates are assumptions for the demo (no published rates of tier assignment were found): a
suggestion from the last 10 days stays open; 80% of the rest are set; 75% of those in tier 2
or 3 have a plan. Rows are written by ``fast_insert`` with ids derived from the demo seed, so
a second run adds nothing.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from dyadcare.care.models import CarePlan, Goal, ServiceEntry, Task, TierAssignment, TierSuggestion
from dyadcare.care.rules import goal_templates, suggest, tier_model
from dyadcare.demo.families import NAMESPACE
from dyadcare.demo.fastinsert import fast_insert_objects
from dyadcare.families.models import CareRelationship
from dyadcare.screening.models import Flag, ScreeningResult
from dyadcare.tenancy.models import Membership
from dyadcare.tenancy.roles import Role

OPEN_SUGGESTION_DAYS = 10
SET_SHARE = 0.8
PLAN_SHARE = 0.75
SERVICE_BY_NEED = {
    "maternal-depression": ("brief-consult", "family-training", "psychoeducation"),
    "family-needs": ("community-supports", "care-coordination"),
    "interpersonal-safety": ("brief-consult", "care-coordination"),
    "substance-use": ("brief-consult", "psychoeducation"),
}
DEFAULT_SERVICES = ("family-training", "brief-consult", "psychoeducation")
TASK_TITLE = {"en": "Check in on the goal", "es": "Llamar para dar seguimiento a la meta"}
PLACES = (("clinic", "telehealth", "home"), (80, 15, 5))


def _id(seed: int, *parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{seed}:care:" + ":".join(str(p) for p in parts))


def _first_matches(seed: int) -> dict[uuid.UUID, tuple[Any, ...]]:
    """Per child, the highest tier any of its positive results or alerts suggests."""
    alerts = set(Flag.objects.filter(severity=Flag.Severity.ALERT).values_list("result_id", flat=True))
    best: dict[uuid.UUID, tuple[Any, ...]] = {}
    rows = ScreeningResult.objects.filter(positive=True).values_list(
        "id", "clinic_id", "child_id", "category", "band", "scored_at"
    )
    for result_id, clinic_id, child_id, category, band, scored_at in rows.iterator():
        rule = suggest(category=category, positive=True, band=band, alert=result_id in alerts)
        if rule is None:
            continue
        current = best.get(child_id)
        if current is None or (rule.tier, scored_at) > (current[3].tier, current[4]):
            best[child_id] = (result_id, clinic_id, child_id, rule, scored_at, category)
    return best


def build_care(*, seed: int, anchor: date, clinic_models: dict[uuid.UUID, str]) -> int:
    """Tiers, suggestions, care plans, goals, tasks and services; returns how many tiers."""
    rng = random.Random(f"{seed}:care")
    staff = _staff()
    languages = dict(
        CareRelationship.objects.filter(is_primary=True).values_list(
            "child_id", "caregiver__preferred_language"
        )
    )
    carers = dict(CareRelationship.objects.filter(is_primary=True).values_list("child_id", "caregiver_id"))
    rows: dict[type, list[Any]] = {
        m: [] for m in (TierSuggestion, TierAssignment, CarePlan, Goal, Task, ServiceEntry)
    }
    for _child_id, match in sorted(_first_matches(seed).items()):
        clinic_id = match[1]
        people = staff.get(clinic_id)
        if people is None:
            continue
        _family(rng, seed, anchor, match, people, clinic_models[clinic_id], languages, carers, rows)
    _own_open_flags(staff)
    before = TierAssignment.objects.count()
    for model, objects in rows.items():
        fast_insert_objects(model, objects)
    return int(TierAssignment.objects.count() - before)


def _staff() -> dict[uuid.UUID, dict[str, Any]]:
    """Per clinic, its dyadic specialist and family partner who log in to the demo
    (``specialist.<clinic>``, ``partner.<clinic>``), so their "my work" has families."""
    out: dict[uuid.UUID, dict[str, Any]] = {}
    for clinic_id, slug, user_id, username, role in Membership.objects.filter(
        clinic__isnull=False, role__in=[Role.DYADIC_SPECIALIST, Role.FAMILY_PARTNER], active=True
    ).values_list("clinic_id", "clinic__slug", "user_id", "user__username", "role"):
        if username in (f"specialist.{slug}", f"partner.{slug}"):
            out.setdefault(clinic_id, {})[role] = user_id
    return {k: v for k, v in out.items() if Role.DYADIC_SPECIALIST in v}


def _own_open_flags(staff: dict[uuid.UUID, dict[str, Any]]) -> None:
    """Open alerts and follow-ups nobody owns go to the clinic's specialist (as a team would
    share them out at the morning huddle), so "open alerts assigned to me" has some."""
    for clinic_id, people in staff.items():
        Flag.objects.filter(clinic_id=clinic_id, resolved_at__isnull=True, owner__isnull=True).update(
            owner_id=people[Role.DYADIC_SPECIALIST]
        )


def _family(
    rng: random.Random, seed: int, anchor: date, match: tuple[Any, ...], people: dict[str, Any],
    service_model: str, languages: dict[Any, str], carers: dict[Any, Any], rows: dict[type, list[Any]],
) -> None:  # fmt: skip
    result_id, clinic_id, child_id, rule, scored_at, category = match
    specialist = people[Role.DYADIC_SPECIALIST]
    seen_on = timezone.localtime(scored_at).date()
    model = tier_model(service_model)
    tier = min(rule.tier, max(model.levels))
    common = {"clinic_id": clinic_id, "child_id": child_id}
    recent = (anchor - seen_on).days <= OPEN_SUGGESTION_DAYS
    suggestion = TierSuggestion(id=_id(seed, "s", result_id), result_id=result_id, rule=rule.key, tier=tier,
                                status=TierSuggestion.Status.OPEN, **common)  # fmt: skip
    rows[TierSuggestion].append(suggestion)
    if recent or rng.random() > SET_SHARE:
        return  # not answered yet: the suggestion stays open
    set_on = seen_on + timedelta(days=rng.randint(0, 3))
    assignment = TierAssignment(
        id=_id(seed, "t", child_id), model=model.key, tier=tier, reason=str(rule.reason["en"]),
        effective_on=set_on, set_by_id=specialist, suggestion_id=suggestion.id, **common,
    )  # fmt: skip
    rows[TierAssignment].append(assignment)
    suggestion.status, suggestion.answered_by_id = TierSuggestion.Status.ACCEPTED, assignment.id
    if tier < 2 or rng.random() > PLAN_SHARE:
        return
    _plan(
        rng,
        seed,
        anchor,
        set_on,
        category,
        people,
        languages.get(child_id, "en"),
        carers.get(child_id),
        rows,
        common,
    )


def _plan(
    rng: random.Random, seed: int, anchor: date, opened: date, need: str, people: dict[str, Any],
    language: str, carer: Any, rows: dict[type, list[Any]], common: dict[str, Any],
) -> None:  # fmt: skip
    language = language if language in ("en", "es") else "en"
    specialist = people[Role.DYADIC_SPECIALIST]
    owner = people.get(Role.FAMILY_PARTNER, specialist) if need == "family-needs" else specialist
    child_id = common["child_id"]
    plan = CarePlan(id=_id(seed, "p", child_id), language=language, created_by_id=specialist,
                    next_review_on=anchor + timedelta(days=rng.randint(-7, 45)), **common)  # fmt: skip
    rows[CarePlan].append(plan)
    templates = [t for t in goal_templates() if t.need == need] or [
        t for t in goal_templates() if t.need == "judgement"
    ]
    for n, template in enumerate(_some(rng, templates, 2)):
        goal = Goal(
            id=_id(seed, "g", child_id, n), clinic_id=common["clinic_id"], plan_id=plan.id,
            need=template.need,
            template=template.key, text=template.text.get(language, template.text["en"]), language=language,
            steps=template.steps.get(language, template.steps["en"]), owner_id=owner,
            review_on=anchor + timedelta(days=rng.randint(-7, 45)),
        )  # fmt: skip
        rows[Goal].append(goal)
        rows[Task].append(Task(
            id=_id(seed, "k", child_id, n), title=TASK_TITLE.get(language, TASK_TITLE["en"]),
            owner_id=owner, due_on=anchor + timedelta(days=rng.randint(-5, 12)), goal_id=goal.id,
            created_by_id=specialist, **common,
        ))  # fmt: skip
    _services(rng, seed, anchor, opened, need, specialist, carer, rows, common)


def _services(
    rng: random.Random, seed: int, anchor: date, opened: date, need: str, specialist: Any, carer: Any,
    rows: dict[type, list[Any]], common: dict[str, Any],
) -> None:  # fmt: skip
    kinds = SERVICE_BY_NEED.get(need, DEFAULT_SERVICES)
    span = max((anchor - opened).days, 1)
    for n in range(rng.randint(1, 4)):
        kind = rng.choice(kinds)
        rows[ServiceEntry].append(ServiceEntry(
            id=_id(seed, "v", common["child_id"], n), service_type=kind,
            delivered_on=min(opened + timedelta(days=rng.randint(0, span)), anchor - timedelta(days=1)),
            minutes=rng.choice((15, 20, 30, 35, 45, 60)), place=rng.choices(*PLACES)[0],
            delivered_by_id=specialist, child_present=True, caregiver_ids=[str(carer)] if carer else [],
            recorded_by_id=specialist, **common,
        ))  # fmt: skip


def _some(rng: random.Random, items: Iterable[Any], most: int) -> list[Any]:
    pool = list(items)
    return rng.sample(pool, min(len(pool), rng.randint(1, most)))
