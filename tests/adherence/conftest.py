from __future__ import annotations

import pytest

from dyadcare.publiclinks.senders import MemorySms


@pytest.fixture(autouse=True)
def _memory_senders(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_PROVIDER = "dyadcare.publiclinks.senders.MemorySms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    MemorySms.outbox.clear()
