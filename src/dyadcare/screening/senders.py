"""Moved to :mod:`dyadcare.publiclinks.senders` (shared by every domain that writes to a
family); these names stay so ``DYADCARE_SMS_PROVIDER=dyadcare.screening.senders.…`` and older
imports keep working."""

from dyadcare.publiclinks.senders import (
    ConsoleSms,
    MemorySms,
    SendError,
    SentText,
    SmsProvider,
    send_email,
    send_sms,
)

__all__ = ["ConsoleSms", "MemorySms", "SendError", "SentText", "SmsProvider", "send_email", "send_sms"]
