"""What care does when screening announces something: a result or an alert that a tier rule
matches leaves a suggestion for a person to confirm (the tier itself is never changed here)."""

from __future__ import annotations

import uuid

from dyadcare.care.rules import suggest
from dyadcare.care.services import suggestion_record
from dyadcare.screening.events import FlagRaised, ResultRecorded
from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.entry import clinic_job
from dyadcare.tenancy.events import subscribe


@clinic_job
def suggest_tier(actor: Actor, result_id: str, alert: bool) -> None:
    facts = (
        ScreeningResult.objects.filter(pk=uuid.UUID(result_id))
        .values("child_id", "category", "positive", "band")
        .first()
    )
    if facts is None:
        return
    rule = suggest(category=facts["category"], positive=facts["positive"], band=facts["band"], alert=alert)
    if rule is not None:
        suggestion_record(
            actor=actor,
            child_id=facts["child_id"],
            result_id=uuid.UUID(result_id),
            rule=rule.key,
            tier=rule.tier,
        )


@subscribe(ResultRecorded)
def on_result(event: ResultRecorded) -> None:
    if event.positive:
        suggest_tier(str(event.clinic_id), str(event.result_id), False)


@subscribe(FlagRaised)
def on_flag(event: FlagRaised) -> None:
    if event.severity == "alert":
        suggest_tier(str(event.clinic_id), str(event.result_id), True)
