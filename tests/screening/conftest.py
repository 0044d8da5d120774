from __future__ import annotations

import pytest

from dyadcare.screening.senders import MemorySms
from dyadcare.touchpoints.models import Visit
from tests import factories
from tests.factories import ClinicWorld


@pytest.fixture(autouse=True)
def _memory_senders(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_PROVIDER = "dyadcare.screening.senders.MemorySms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    MemorySms.outbox.clear()


@pytest.fixture
def two_month_visit(world: ClinicWorld) -> Visit:
    return factories.two_month_visit(world)


mother = factories.mother
staff_actor = factories.staff_actor
