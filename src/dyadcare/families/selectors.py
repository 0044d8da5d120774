"""Reads of family records. Each selector checks the permission and audits the read; run
them inside the clinic scope of the actor."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from dyadcare.families.internal import search
from dyadcare.families.internal.duplicates import PossibleDuplicate, child_duplicates
from dyadcare.families.models import Caregiver, CareRelationship, Child, ChildMerge, Household
from dyadcare.families.permissions import FamilyPerm
from dyadcare.families.rules import RuleError, normalize_medi_cal_id, search_key
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record, audit_record_many

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d/%m/%Y")


def _as_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            continue
    return None


_PHONE = re.compile(r"[\d\s().+-]+")


def _phone_digits(text: str) -> str:
    """The digits of a phone number typed in the search box (at least 7), else ""."""
    digits = re.sub(r"\D", "", text)
    return digits[-10:] if _PHONE.fullmatch(text) and len(digits) >= 7 else ""


def child_filter(query: str) -> Q:
    """What a search box means: a birth date, a Medi-Cal ID, an MRN, part of the child's name,
    or part of a caregiver's name or their mobile phone (the children they care for)."""
    text = query.strip()
    if not text:
        return Q()
    as_date = _as_date(text)
    if as_date is not None:
        return Q(date_of_birth=as_date)
    conditions = search.mrn_match(text)
    with contextlib.suppress(RuleError):
        conditions |= Q(medi_cal_id=normalize_medi_cal_id(text))
    caregivers = Q(pk__in=[])
    words = search_key(text).split()
    if words:
        conditions |= search.name_match("families_child", words)
        caregivers = search.name_match("families_caregiver", words)
    digits = _phone_digits(text)
    if digits:
        caregivers = Q(phone__endswith=digits)
    if words or digits:
        # A subquery, not a join: a child with several matching caregivers is listed once.
        matching = CareRelationship.objects.filter(caregiver__in=Caregiver.objects.filter(caregivers))
        conditions |= Q(pk__in=matching.values("child_id"))
    return conditions


def child_search(*, actor: Actor, query: str = "") -> QuerySet[Child]:
    """Children of the clinic matching ``query``, by last then first name (lazy; audited),
    each with its caregivers, primary first (one more query for the page shown)."""
    actor.require(FamilyPerm.VIEW)
    carers = CareRelationship.objects.select_related("caregiver").order_by(
        "-is_primary", "caregiver__search_name"
    )
    children = (
        Child.objects.filter(child_filter(query), merged_into__isnull=True)
        .order_by("search_name", "id")
        .prefetch_related(Prefetch("care_relationships", queryset=carers))
    )
    audit_record(
        actor=actor,
        action=Action.SEARCH,
        object_type="families.child",
        summary=f"query {query.strip()[:100]!r}" if query.strip() else "list",
    )
    return children


@dataclass(frozen=True)
class ChildRecord:
    child: Child
    relationships: Sequence[CareRelationship]
    siblings: list[Child]


def child_get(*, actor: Actor, child_id: uuid.UUID | str) -> Child:
    """One child of the clinic, or 404 (also for another clinic's child). Audited."""
    actor.require(FamilyPerm.VIEW)
    child = _get_or_404(Child, child_id)
    audit_record(actor=actor, action=Action.VIEW, obj=child)
    return child


def child_record(*, actor: Actor, child_id: uuid.UUID | str) -> ChildRecord:
    """A child with caregivers and siblings, for the child page."""
    child = child_get(actor=actor, child_id=child_id)
    relationships = list(
        CareRelationship.objects.filter(child=child)
        .select_related("caregiver")
        .annotate(children_count=Count("caregiver__care_relationships"))
        .order_by("-is_primary", "caregiver__family_name", "caregiver__given_name")
    )
    return ChildRecord(child=child, relationships=relationships, siblings=_siblings(child))


def _siblings(child: Child) -> list[Child]:
    """The children who share a caregiver or the household with ``child``, in one query of two
    indexed lookups (the children of the child's caregivers, by caregiver; the household's,
    by household) on the children table, so the cost does not grow with the clinic (an OR
    across a join walked every child of the clinic)."""
    carers = CareRelationship.objects.filter(child_id=child.pk).values("caregiver_id")
    same_carer = CareRelationship.objects.filter(caregiver_id__in=carers).values("child_id")
    sibling_filter = Q(pk__in=same_carer)
    if child.household_id:
        sibling_filter |= Q(household_id=child.household_id)
    return list(Child.objects.filter(sibling_filter).exclude(pk=child.pk).order_by("date_of_birth", "pk"))


def caregivers_of(*, actor: Actor, child_id: uuid.UUID | str) -> list[CareRelationship]:
    """The child's caregivers, primary first (the caller has loaded and audited the child)."""
    actor.require(FamilyPerm.VIEW)
    return list(
        CareRelationship.objects.filter(child_id=child_id)
        .select_related("caregiver")
        .order_by("-is_primary", "caregiver__given_name")
    )


def caregiver_of(
    *, actor: Actor, child_id: uuid.UUID | str, caregiver_id: uuid.UUID | str
) -> CareRelationship | None:
    """The link between a child and one of their caregivers, or None (also for a malformed id)."""
    actor.require(FamilyPerm.VIEW)
    try:
        return (
            CareRelationship.objects.select_related("caregiver")
            .filter(child_id=child_id, caregiver_id=uuid.UUID(str(caregiver_id)))
            .first()
        )
    except ValueError:
        return None


@dataclass(frozen=True)
class CaregiverRecord:
    caregiver: Caregiver
    children: list[CareRelationship]


def caregiver_record(*, actor: Actor, caregiver_id: uuid.UUID | str) -> CaregiverRecord:
    """A caregiver with the children they care for, for the caregiver page."""
    caregiver = caregiver_get(actor=actor, caregiver_id=caregiver_id)
    links = list(
        CareRelationship.objects.filter(caregiver=caregiver)
        .select_related("child")
        .order_by("child__date_of_birth")
    )
    return CaregiverRecord(caregiver=caregiver, children=links)


def caregiver_get(*, actor: Actor, caregiver_id: uuid.UUID | str) -> Caregiver:
    actor.require(FamilyPerm.VIEW)
    caregiver = _get_or_404(Caregiver, caregiver_id)
    audit_record(actor=actor, action=Action.VIEW, obj=caregiver)
    return caregiver


def caregiver_search(*, actor: Actor, query: str) -> QuerySet[Caregiver]:
    """Caregivers of the clinic by name or phone, to link an existing one to a child."""
    actor.require(FamilyPerm.VIEW)
    text = query.strip()
    digits = re.sub(r"\D", "", text)
    conditions = Q(pk__in=[])
    if len(digits) >= 7:
        conditions |= Q(phone__endswith=digits[-10:])
    words = search_key(text).split()
    if words:
        conditions |= search.name_match("families_caregiver", words)
    audit_record(
        actor=actor,
        action=Action.SEARCH,
        object_type="families.caregiver",
        summary=f"query {text[:100]!r}",
    )
    return Caregiver.objects.filter(conditions).order_by("search_name")


def child_possible_duplicates(*, actor: Actor, child: Child) -> list[PossibleDuplicate[Child]]:
    """Other records of the clinic that may be this child (same name, or same date of birth
    with a name or a caregiver in common), for the merge page; the caller audited the child,
    each record listed is audited here."""
    actor.require(FamilyPerm.MERGE)
    if child.merged_into_id:
        return []
    caregiver_ids = CareRelationship.objects.filter(child=child).values_list("caregiver_id", flat=True)
    found = child_duplicates(
        given_name=child.given_name,
        family_name=child.family_name,
        date_of_birth=child.date_of_birth,
        caregiver_ids=list(caregiver_ids),
        exclude=child.pk,
    )
    duplicates_shown(actor=actor, duplicates=found)
    return found


def duplicates_shown(*, actor: Actor, duplicates: Sequence[PossibleDuplicate[Any]]) -> None:
    """Records listed as possible duplicates are read by the person shown them: audited."""
    if duplicates:
        audit_record_many(
            actor=actor,
            action=Action.VIEW,
            objects=[d.record for d in duplicates],
            summary="listed as a possible duplicate",
        )


def child_merges(*, actor: Actor, child: Child) -> list[ChildMerge]:
    """Merges this record took part in, newest first (the caller audited the child)."""
    actor.require(FamilyPerm.VIEW)
    return list(
        ChildMerge.objects.filter(Q(survivor=child) | Q(retired=child))
        .select_related("survivor", "retired", "merged_by", "undone_by")
        .order_by("-created_at")
    )


def relationship_get(*, actor: Actor, child: Child, link_id: uuid.UUID | str) -> CareRelationship:
    actor.require(FamilyPerm.VIEW)
    try:
        return CareRelationship.objects.select_related("caregiver").get(child=child, pk=link_id)
    except (CareRelationship.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


_M = TypeVar("_M", Child, Caregiver)


def _get_or_404(model: type[_M], pk: uuid.UUID | str) -> _M:
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def record_counts() -> dict[str, int]:
    """Counts of the main records across every clinic, for operators: numbers only, no
    record content."""
    from dyadcare.tenancy.models import AuditEvent, Clinic, Membership, Network, User
    from dyadcare.tenancy.scope import unscoped

    with unscoped("record counts for operators: numbers only, no record content"):
        return {
            "networks": Network.objects.count(),
            "clinics": Clinic.objects.count(),
            "staff": User.objects.filter(memberships__active=True).distinct().count(),
            "memberships": Membership.objects.filter(active=True).count(),
            "households": Household.objects.count(),
            "children": Child.objects.count(),
            "caregivers": Caregiver.objects.count(),
            "care_relationships": CareRelationship.objects.count(),
            "audit_events": AuditEvent.objects.count(),
        }
