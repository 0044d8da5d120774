"""The alerts worklist's rows, ready for the template: each flag's links and its owner choice
made here once a page rather than by template tags in every row (a page of 25 rows reversed
75 URLs and rendered the clinic's staff list 25 times)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from dyadcare.screening.models import Flag
from dyadcare.screening.worklist import Item

_SENTINEL = uuid.UUID(int=0)


@dataclass(frozen=True)
class Row:
    item: Item
    severity: str  # the flag's kind, in the page's language
    visit_url: str
    assign_url: str
    acknowledge_url: str
    owner_options: SafeString  # the <option>s of the owner choice, the flag's owner selected


def _urls(name: str, clinic_slug: str) -> Callable[[uuid.UUID], str]:
    """One URL pattern reversed once: the URL of ``name`` for any id (the id is a UUID, so it
    is written the same in every URL)."""
    pattern = reverse(name, args=[clinic_slug, _SENTINEL])
    return lambda pk: pattern.replace(str(_SENTINEL), str(pk))


def _options(owners: Sequence[tuple[str, str]], nobody: str) -> tuple[str, dict[str, str]]:
    """The owner choice's options, unselected, and each owner's option when selected."""
    plain = format_html('<option value="">{}</option>', nobody) + format_html_join(
        "", '<option value="{}">{}</option>', owners
    )
    return str(plain), {value: format_html('<option value="{}">', value) for value, _name in owners}


def rows(
    items: Sequence[Item], *, clinic_slug: str, owners: Sequence[tuple[str, str]], nobody: str
) -> list[Row]:
    visit_url = _urls("web:visit_screening", clinic_slug)
    assign_url = _urls("web:flag_assign", clinic_slug)
    acknowledge_url = _urls("web:flag_acknowledge", clinic_slug)
    plain, opening = _options(owners, nobody)
    severities = {value: str(label) for value, label in Flag.Severity.choices}
    out = []
    for item in items:
        flag = item.flag
        options = plain
        owner = str(flag.owner_id) if flag.owner_id else ""
        if owner in opening:
            options = plain.replace(opening[owner], opening[owner][:-1] + " selected>", 1)
        out.append(
            Row(
                item=item,
                severity=severities[flag.severity],
                visit_url=visit_url(flag.visit_id),
                assign_url=assign_url(flag.pk),
                acknowledge_url=acknowledge_url(flag.pk),
                owner_options=mark_safe(options),  # noqa: S308  built by format_html above
            )
        )
    return out
