"""Reaching a family without an account: text messages through a pluggable provider
(``DYADCARE_SMS_PROVIDER``), email through Django's mail backend (SMTP in production, console in
development). Screening sends links with it; visit adherence sends reminders."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("dyadcare.publiclinks.senders")


class SendError(Exception):
    pass


class SmsProvider(Protocol):
    """Implement ``send`` for a real provider and name the class in DYADCARE_SMS_PROVIDER."""

    def send(self, *, to: str, body: str) -> None: ...


class ConsoleSms:
    """Development: the text is written to the server log."""

    def send(self, *, to: str, body: str) -> None:
        logger.warning("SMS to %s: %s", to, body)


@dataclass
class SentText:
    to: str
    body: str


class MemorySms:
    """Tests: texts are kept in ``MemorySms.outbox``."""

    outbox: list[SentText] = []

    def send(self, *, to: str, body: str) -> None:
        MemorySms.outbox.append(SentText(to, body))


@cache
def _provider(path: str) -> SmsProvider:
    provider: SmsProvider = import_string(path)()
    return provider


def send_sms(*, to: str, body: str) -> None:
    try:
        _provider(settings.SMS_PROVIDER).send(to=to, body=body)
    except SendError:
        raise
    except Exception as exc:  # a provider's own failure, reported to the person who sent
        raise SendError(str(exc)) from exc


def send_email(*, to: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception as exc:
        raise SendError(str(exc)) from exc
