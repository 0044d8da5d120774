"""``dyadcare stats``: counts of the main records, as one JSON object."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from dyadcare.families.selectors import record_counts


class Command(BaseCommand):
    help = "Print counts of the main records as one JSON object."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(record_counts(), sort_keys=True))
