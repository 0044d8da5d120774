"""The referrals domain's reads of the community resource directory. Every read is of the
actor's network's directory only: a clinic in another network never sees it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dyadcare.referrals import rules
from dyadcare.referrals.internal import search
from dyadcare.referrals.internal.exporter import export_network
from dyadcare.referrals.models import Address, DirectoryNote, Language, Phone, Service
from dyadcare.referrals.permissions import ReferralsPerm
from dyadcare.tenancy.actor import Actor

_DAY_LABELS = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))


def export_services(actor: Actor) -> list[dict[str, Any]]:
    """The directory as HSDS 3.0 service records (``service_full``), by service id."""
    actor.require(ReferralsPerm.DIRECTORY_VIEW)
    if actor.network is None:
        return []
    return export_network(actor.network)


# --- search ------------------------------------------------------------------------------

PAGE_SIZE = 20


@dataclass(frozen=True)
class ServiceRow:
    """One service as search results and the refer flow show it, in the family's language
    where the directory has it (``translated``)."""

    id: str
    hsds_id: str
    name: str
    description: str
    organization: str
    translated: bool
    distance_miles: float | None
    open_now: bool | None
    hours: tuple[str, ...]
    phones: tuple[str, ...]
    languages: tuple[str, ...]
    address: str
    email: str
    url: str
    minimum_age: float | None
    maximum_age: float | None
    eligibility: str
    accepts_referrals_via: str
    referral_contact: str
    favourite: bool
    note: str


@dataclass(frozen=True)
class SearchPage:
    rows: tuple[ServiceRow, ...]
    total: int
    page: int
    pages: int
    need: rules.Need | None
    zip_known: bool


def _localized(service: Service, language: str | None) -> tuple[str, str, bool]:
    if language and language != "en":
        words = (service.translations or {}).get(language) or {}
        if words.get("name"):
            return words["name"], words.get("description") or service.description, True
    return service.name, service.description, False


def _hours_text(hours: list[rules.Hours]) -> tuple[str, ...]:
    out = []
    for h in hours:
        if h.opens_at is None or h.closes_at is None:
            continue
        days = ", ".join(str(_DAY_LABELS[d]) for d in rules.day_names(h.byday)) or str(_("Every day"))
        out.append(f"{days} {h.opens_at:%H:%M}–{h.closes_at:%H:%M}")
    return tuple(out)


def _rows(
    actor: Actor, pks: list[Any], extra: dict[Any, Any], language: str | None, point: Any
) -> list[ServiceRow]:
    services = {s.pk: s for s in Service.objects.filter(pk__in=pks).select_related("organization")}
    located = search.locations_of(pks)
    places = search.schedules_of(pks, located)
    nearest = {pk: search.nearest(located.get(pk, []), point) for pk in pks}
    addresses = {
        a.location_id: a for a in Address.objects.filter(location__in=[n for n in nearest.values() if n])
    }
    phones: dict[Any, list[str]] = defaultdict(list)
    for service_id, number in Phone.objects.filter(service__in=pks).values_list("service_id", "number"):
        phones[service_id].append(number)
    languages: dict[Any, list[str]] = defaultdict(list)
    for service_id, code in Language.objects.filter(service__in=pks).values_list("service_id", "code"):
        languages[service_id].append(code)
    notes = {}
    if actor.clinic is not None:
        notes = dict(DirectoryNote.objects.filter(service__in=pks).values_list("service_id", "text"))
    out = []
    for pk in pks:
        s = services[pk]
        name, description, translated = _localized(s, language)
        candidate = extra.get(pk)
        address = addresses.get(nearest[pk])
        out.append(
            ServiceRow(
                id=str(pk),
                hsds_id=s.hsds_id,
                name=name,
                description=description,
                organization=s.organization.name if s.organization else "",
                translated=translated,
                distance_miles=round(candidate.distance, 1)
                if candidate and candidate.distance is not None
                else None,
                open_now=candidate.open_now if candidate and places.get(pk) else None,
                hours=_hours_text(places.get(pk, [])),
                phones=tuple(phones[pk]),
                languages=tuple(sorted(set(languages[pk]))),
                address=_address_line(address),
                email=s.email,
                url=s.url,
                minimum_age=s.minimum_age,
                maximum_age=s.maximum_age,
                eligibility=s.eligibility_description,
                accepts_referrals_via=s.accepts_referrals_via,
                referral_contact=s.referral_contact,
                favourite=bool(candidate.favourite) if candidate else False,
                note=notes.get(pk, ""),
            )
        )
    return out


def _address_line(address: Address | None) -> str:
    if address is None:
        return ""
    parts = [address.address_1, address.address_2, address.city, address.state_province, address.postal_code]
    return ", ".join(p for p in parts if p)


def search_services(
    actor: Actor,
    *,
    need: str | None = None,
    language: str | None = None,
    child_age_months: int | None = None,
    zip_code: str | None = None,
    open_now: bool = False,
    text: str | None = None,
    page: int = 1,
    radius_miles: float = search.DEFAULT_RADIUS_MILES,
    now: datetime | None = None,
) -> SearchPage:
    """The actor's network's services matching the filters, best first, one page of
    ``PAGE_SIZE``. ``need`` is a need key (``food``) or a screening domain
    (``housing-instability``); an unknown one matches nothing rather than everything."""
    actor.require(ReferralsPerm.DIRECTORY_VIEW)
    mapped = rules.need_for(need) if need else None
    point = rules.centroid(zip_code) if zip_code else None
    empty = SearchPage((), 0, 1, 1, mapped, zip_known=point is not None or not zip_code)
    if actor.network is None or (need and mapped is None):
        return empty
    criteria = search.Criteria(
        need=mapped,
        language=language or None,
        child_age_months=child_age_months,
        point=point,
        radius_miles=radius_miles,
        open_now=open_now,
        text=(text or "").strip() or None,
    )
    favourites = search.favourites() if actor.clinic is not None else set()
    moment = timezone.localtime(now or timezone.now()).replace(tzinfo=None)
    total, page, chosen = search.ranked_page(
        actor.network, criteria, now=moment, favourites=favourites, page=page, size=PAGE_SIZE
    )
    pages = max(1, -(-total // PAGE_SIZE))
    by_pk = {c.pk: c for c in chosen}
    rows = _rows(actor, [c.pk for c in chosen], by_pk, language, point)
    return SearchPage(tuple(rows), total, page, pages, mapped, empty.zip_known)


def service_for_referral(
    actor: Actor, service_id: object, *, language: str | None = None, zip_code: str | None = None
) -> ServiceRow:
    """One service of the actor's network, for the detail page and the refer flow; another
    network's (or an unknown id) raises ``Service.DoesNotExist``."""
    actor.require(ReferralsPerm.DIRECTORY_VIEW)
    if actor.network is None:
        raise Service.DoesNotExist
    try:
        service = Service.objects.get(pk=str(service_id), network=actor.network)
    except (ValueError, ValidationError) as exc:
        raise Service.DoesNotExist from exc
    point = rules.centroid(zip_code) if zip_code else None
    moment = timezone.localtime().replace(tzinfo=None)
    hours = search.schedules_of([service.pk], search.locations_of([service.pk]))[service.pk]
    candidate = search.Candidate(
        pk=service.pk,
        name=service.name,
        open_now=any(rules.is_open(h, moment) for h in hours) if hours else None,
        favourite=actor.clinic is not None and service.pk in search.favourites(),
    )
    placed = [
        (lat, lon)
        for _, lat, lon in search.locations_of([service.pk]).get(service.pk, [])
        if lat is not None and lon is not None
    ]
    if point is not None and placed:
        candidate.distance = min(rules.miles_between(point, p) for p in placed)
    return _rows(actor, [service.pk], {service.pk: candidate}, language, point)[0]


def need_choices(language: str) -> list[tuple[str, str]]:
    """(key, label) of every need, for the search form."""
    return [(n.key, n.label_in(language)) for n in rules.needs()]
