"""Escalating a safety alert nobody has acknowledged: after DYADCARE_ALERT_ESCALATION_MINUTES
(15 by default) the clinic's administrators are told, on every page and by email.

A background task is queued for each alert (``dyadcare worker`` runs the queue; ``dyadcare
serve`` starts one). The staff pages also escalate overdue alerts when they load, so an
alert escalates on time even if no worker runs.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from dyadcare.screening.audit_actions import ScreeningAction
from dyadcare.screening.models import Flag
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.tenancy.models import Clinic, User
from dyadcare.tenancy.roles import Role
from dyadcare.tenancy.scope import clinic_scope

logger = logging.getLogger("dyadcare.screening")


def escalation_due(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(minutes=settings.ALERT_ESCALATION_MINUTES)


def escalate_overdue(clinic: Clinic, *, now: datetime | None = None) -> list[Flag]:
    """Escalate the clinic's alerts that are still open after the escalation delay."""
    overdue_filter = {
        "severity": Flag.Severity.ALERT,
        "resolved_at__isnull": True,
        "escalated_at__isnull": True,
        "raised_at__lte": escalation_due(now),
    }
    with clinic_scope(clinic):
        # The staff pages call this on every banner poll: a plain read first, so the usual
        # case (nothing overdue) takes no write lock.
        if not Flag.objects.filter(**overdue_filter).exists():
            return []
    with clinic_scope(clinic), transaction.atomic():
        overdue = list(Flag.objects.select_for_update().filter(**overdue_filter).order_by("raised_at"))
        if not overdue:
            return []
        stamp = now or timezone.now()
        for flag in overdue:
            flag.escalated_at = stamp
            flag.save(update_fields=["escalated_at", "updated_at"])
            audit_record(
                actor=Actor.system("alert-escalation", clinic=clinic),
                action=ScreeningAction.ALERT_ESCALATED,
                obj=flag,
                summary="escalated to the clinic administrator",
            )
        admins = list(
            User.objects.filter(
                memberships__clinic=clinic, memberships__role=Role.CLINIC_ADMIN, memberships__active=True
            )
            .exclude(email="")
            .distinct()
        )
        transaction.on_commit(lambda: _notify(clinic, admins, len(overdue)))
        return overdue


def _notify(clinic: Clinic, admins: list[User], count: int) -> None:
    """Email the administrators: no names, no answers, only that an alert is waiting."""
    base = settings.PUBLIC_URL or ""
    for admin in admins:
        try:
            send_mail(
                _("dyadcare: a safety alert is waiting at %(clinic)s") % {"clinic": clinic.name},
                _(
                    "%(count)s safety alert(s) at %(clinic)s have not been acknowledged for %(minutes)s "
                    "minutes. Please make sure a clinician acts now: %(url)s"
                )
                % {
                    "count": count,
                    "clinic": clinic.name,
                    "minutes": settings.ALERT_ESCALATION_MINUTES,
                    "url": f"{base}/c/{clinic.slug}/alerts/",
                },
                settings.DEFAULT_FROM_EMAIL,
                [admin.email],
            )
        except Exception:
            logger.exception("could not email the escalation to %s", admin.username)


@task()
def escalate_alert(flag_id: str) -> None:
    """Queued when an alert is raised, to run when the escalation delay has passed."""
    from dyadcare.tenancy.scope import unscoped

    with unscoped("a background job finds the alert's clinic from the alert id"):
        flag = Flag.objects.select_related("clinic").filter(pk=uuid.UUID(flag_id)).first()
    if flag is not None:
        escalate_overdue(flag.clinic)


def schedule_escalation(flag_id: uuid.UUID) -> None:
    run_after = timezone.now() + timedelta(minutes=settings.ALERT_ESCALATION_MINUTES, seconds=5)
    try:
        escalate_alert.using(run_after=run_after).enqueue(str(flag_id))
    except Exception:
        # The page-load check still escalates; a queue problem must not lose the family's answers.
        logger.exception("could not queue the escalation of alert %s", flag_id)
