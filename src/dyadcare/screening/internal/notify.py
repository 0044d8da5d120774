"""Telling a clinic's administrators that a safety alert waits: no names, no answers."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from dyadcare.tenancy.models import Clinic
from dyadcare.tenancy.roles import Role
from dyadcare.tenancy.selectors import clinic_staff

logger = logging.getLogger("dyadcare.screening")


def clinic_admin_emails(clinic: Clinic) -> list[str]:
    return sorted(
        {m.user.email for m in clinic_staff(clinic) if m.role == Role.CLINIC_ADMIN and m.user.email}
    )


def notify_escalation(clinic: Clinic, emails: list[str], count: int) -> None:
    """Email the administrators that ``count`` alerts wait, with a link to the alerts page."""
    base = settings.PUBLIC_URL or ""
    for email in emails:
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
                [email],
            )
        except Exception:
            logger.exception("could not email the escalation to a clinic administrator of %s", clinic.slug)
