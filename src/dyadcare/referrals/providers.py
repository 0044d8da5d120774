"""The referral workflow on the care team's lists: an open referral with no update past its
due date shows on the huddle (``touchpoints.huddle``), in "my work" and on the alerts
worklist (``touchpoints.followups``). Registered in ``ReferralsConfig.ready``; one query each.

The huddle is read by every role, so its note names no need and no service."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.referrals import workflow
from dyadcare.referrals.models_referral import Referral
from dyadcare.referrals.permissions import ReferralPerm
from dyadcare.referrals.referral_selectors import overdue
from dyadcare.tenancy.actor import Actor
from dyadcare.touchpoints.followups import FollowUp
from dyadcare.touchpoints.huddle import HuddleNote
from dyadcare.touchpoints.models import Visit


def referral_url(referral: Referral) -> str:
    return reverse(
        "web:referral_detail", kwargs={"clinic_slug": referral.clinic.slug, "referral_id": referral.pk}
    )


def huddle_referrals(visits: Sequence[Visit]) -> Mapping[uuid.UUID, list[HuddleNote]]:
    notes: dict[uuid.UUID, list[HuddleNote]] = defaultdict(list)
    if not visits:
        return notes
    by_child: dict[uuid.UUID, list[Visit]] = defaultdict(list)
    for visit in visits:
        by_child[visit.child_id].append(visit)
    day = max(timezone.localtime(v.scheduled_for).date() for v in visits)
    for referral in overdue(child_ids=by_child, today=day).select_related("clinic"):
        assert referral.due_on is not None
        text = _("Referral: no update since %(day)s") % {"day": referral.due_on.isoformat()}
        for visit in by_child[referral.child_id]:
            notes[visit.pk].append(HuddleNote("referral", text, "warning", referral_url(referral)))
    return notes


def _service_words(referral: Referral) -> str:
    need = workflow.needs().get(referral.need)
    if need is not None and need.labels:
        return str(_("a referral about a sensitive need"))
    return _("referral to %(service)s") % {"service": referral.service_name}


def follow_up_referrals(
    actor: Actor, mine: bool, today: date, *, child: uuid.UUID | None = None, limit: int | None = None
) -> list[FollowUp]:
    """Overdue referrals: the actor's own (as requester) or the clinic's, one child's when
    ``child`` is given, the first ``limit`` (soonest due) when ``limit`` is given."""
    if not actor.can(ReferralPerm.VIEW):
        return []
    found = overdue(today=today, child_ids=None if child is None else [child])
    found = found.select_related("child", "clinic").order_by("due_on", "pk")
    if mine:
        found = found.filter(requester=actor.user)
    if limit is not None:
        found = found[:limit]
    return [
        FollowUp(
            kind="referral",
            child_id=r.child_id,
            child_name=r.child.full_name,
            text=_("%(what)s: no update since it was due") % {"what": _service_words(r)},
            due=r.due_on,
            url=referral_url(r),
        )
        for r in found
    ]
