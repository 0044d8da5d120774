"""Possible duplicates: a child or caregiver the clinic may already have.

Names are compared by their stored search key (lower case, accents and punctuation removed,
computed in Python when a record is saved), so "José García" and "JOSE GARCIA" are one name on
SQLite and PostgreSQL alike; the words may come in either order ("García José")."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dyadcare.families.models import Caregiver, CareRelationship, Child
from dyadcare.families.rules import search_key

LIMIT = 10

SAME_NAME_AND_BIRTH = _("same name and date of birth")
SAME_NAME = _("same name, another date of birth")
SIMILAR_NAME_SAME_BIRTH = _("same date of birth and a name in common")
SAME_CAREGIVER_SAME_BIRTH = _("same date of birth and the same caregiver")
SAME_PHONE = _("same mobile phone")
SAME_CAREGIVER_NAME = _("same name")

_R = TypeVar("_R", Child, Caregiver)


@dataclass(frozen=True)
class PossibleDuplicate(Generic[_R]):
    record: _R
    reasons: tuple[Promise, ...]


class PossibleDuplicates(Exception):
    """Raised by a registration that found possible duplicates and was given no reason."""

    def __init__(
        self, duplicates: Sequence[PossibleDuplicate[Child]] | Sequence[PossibleDuplicate[Caregiver]]
    ):
        super().__init__(f"{len(duplicates)} possible duplicates")
        self.duplicates: list[PossibleDuplicate[Any]] = list(duplicates)


def _name_keys(given_name: str, family_name: str) -> list[str]:
    """The search key of a name, in both orders (first and last names swapped)."""
    keys = {search_key(f"{family_name} {given_name}"), search_key(f"{given_name} {family_name}")}
    return sorted(k for k in keys if k)


def child_duplicates(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    caregiver_ids: Iterable[object] = (),
    exclude: uuid.UUID | str | None = None,
) -> list[PossibleDuplicate[Child]]:
    """Children of the clinic (run in its scope) who may be this one: two queries."""
    keys = _name_keys(given_name, family_name)
    words = set(" ".join(keys).split())
    conditions = Q(search_name__in=keys) if keys else Q(pk__in=[])
    if date_of_birth is not None:
        conditions |= Q(date_of_birth=date_of_birth)
    candidates = list(
        Child.objects.filter(conditions, merged_into__isnull=True)
        .exclude(pk__in=[exclude] if exclude else [])
        .order_by("search_name")[:200]
    )
    carers = {str(i) for i in caregiver_ids}
    shared = set()
    if carers and candidates:
        shared = set(
            CareRelationship.objects.filter(
                child_id__in=[c.pk for c in candidates], caregiver_id__in=list(carers)
            ).values_list("child_id", flat=True)
        )
    found = []
    for child in candidates:
        same_name = child.search_name in keys
        same_birth = date_of_birth is not None and child.date_of_birth == date_of_birth
        reasons: list[Promise] = []
        if same_name:
            reasons.append(SAME_NAME_AND_BIRTH if same_birth else SAME_NAME)
        elif same_birth and words & set(child.search_name.split()):
            reasons.append(SIMILAR_NAME_SAME_BIRTH)
        if same_birth and child.pk in shared:
            reasons.append(SAME_CAREGIVER_SAME_BIRTH)
        if reasons:
            found.append(PossibleDuplicate(record=child, reasons=tuple(reasons)))
    found.sort(key=lambda d: (SAME_NAME_AND_BIRTH not in d.reasons, len(d.reasons) == 1))
    return found[:LIMIT]


def caregiver_duplicates(
    *, given_name: str, family_name: str, phone: str, exclude: uuid.UUID | str | None = None
) -> list[PossibleDuplicate[Caregiver]]:
    """Caregivers of the clinic (run in its scope) who may be this one: one query. ``phone``
    is normalised already (the model's clean)."""
    keys = _name_keys(given_name, family_name)
    conditions = Q(search_name__in=keys) if keys else Q(pk__in=[])
    if phone:
        conditions |= Q(phone=phone)
    found = []
    for caregiver in (
        Caregiver.objects.filter(conditions)
        .exclude(pk__in=[exclude] if exclude else [])
        .order_by("search_name")[:LIMIT]
    ):
        reasons: list[Promise] = []
        if caregiver.search_name in keys:
            reasons.append(SAME_CAREGIVER_NAME)
        if phone and caregiver.phone == phone:
            reasons.append(SAME_PHONE)
        found.append(PossibleDuplicate(record=caregiver, reasons=tuple(reasons)))
    return found
