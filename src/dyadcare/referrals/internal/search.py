"""Directory search: filter in the database, rank the few hundred candidates in Python, then
read the details of one page only.

Filters (all optional, combined with AND): a need (its Open Eligibility term codes, matched
through the services' attributes), free text (name or description), the child's age (HSDS
``minimum_age``/``maximum_age`` in years), the family's language (spoken at the service or at
one of its locations; a service that lists no language counts as English only) and distance
from a ZIP code centroid (a bounding box in SQL, then haversine). Services with no place on
the map (virtual ones) stay in a distance search, without a distance.

Ranking (higher first, ties by distance then name): +2 for a clinic favourite, +1 when open
now, minus one point per 5 miles from the family's ZIP code (a service with no place on the
map counts as at the edge of the search radius)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from dyadcare.referrals import rules
from dyadcare.referrals.models import (
    Attribute,
    Favourite,
    Language,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from dyadcare.tenancy.models import Network

DEFAULT_RADIUS_MILES = 25.0
MILES_PER_POINT = 5.0


@dataclass(frozen=True)
class Criteria:
    need: rules.Need | None = None
    language: str | None = None
    child_age_months: int | None = None
    point: tuple[float, float] | None = None
    radius_miles: float = DEFAULT_RADIUS_MILES
    open_now: bool = False
    text: str | None = None


@dataclass
class Candidate:
    pk: Any
    name: str
    distance: float | None = None
    open_now: bool | None = None
    favourite: bool = False
    # In a distance search, a service with no place on the map (online, by phone) counts as
    # at the edge of the search radius.
    unplaced_miles: float = 0.0

    def score(self) -> float:
        points = (2 if self.favourite else 0) + (1 if self.open_now else 0)
        miles = self.distance if self.distance is not None else self.unplaced_miles
        return points - miles / MILES_PER_POINT


def _filtered(network: Network, c: Criteria) -> QuerySet[Service]:
    services = Service.objects.filter(network=network, status=Service.Status.ACTIVE)
    if c.need is not None:
        terms = TaxonomyTerm.objects.filter(network=network, code__in=c.need.codes)
        services = services.filter(
            Exists(Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term__in=terms))
        )
    if c.text:
        services = services.filter(Q(name__icontains=c.text) | Q(description__icontains=c.text))
    if c.child_age_months is not None:
        years = c.child_age_months / 12
        services = services.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=years),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=c.child_age_months // 12),
        )
    if c.language:
        services = services.filter(_speaks(c.language))
    if c.point is not None:
        lat0, lat1, lon0, lon1 = rules.bounding_box(c.point, c.radius_miles)
        placed = ServiceAtLocation.objects.filter(
            service=OuterRef("pk"), location__latitude__isnull=False
        )
        near = placed.filter(
            location__latitude__range=(lat0, lat1), location__longitude__range=(lon0, lon1)
        )
        services = services.filter(Exists(near) | ~Exists(placed))
    return services


def _speaks(language: str) -> Q:
    code = language.lower()
    at_service = Language.objects.filter(service=OuterRef("pk"), code__iexact=code)
    at_location = Language.objects.filter(
        location__in=ServiceAtLocation.objects.filter(service=OuterRef(OuterRef("pk"))).values(
            "location"
        ),
        code__iexact=code,
    )
    q = Q(Exists(at_service)) | Q(Exists(at_location))
    if code == "en":
        listed = Language.objects.filter(service=OuterRef("pk"))
        q |= ~Q(Exists(listed))
    return q


def _locations(pks: list[Any]) -> dict[Any, list[tuple[Any, float | None, float | None]]]:
    out: dict[Any, list[tuple[Any, float | None, float | None]]] = defaultdict(list)
    rows = ServiceAtLocation.objects.filter(service__in=pks).values_list(
        "service_id", "location_id", "location__latitude", "location__longitude"
    )
    for service, location, lat, lon in rows:
        out[service].append((location, lat, lon))
    return out


def schedules_of(
    pks: Iterable[Any], places: dict[Any, list[tuple[Any, float | None, float | None]]]
) -> dict[Any, list[rules.Hours]]:
    """Each service's opening hours: its own schedules, else its locations'."""
    by_location: dict[Any, list[Any]] = defaultdict(list)
    for service, entries in places.items():
        for location, _, _ in entries:
            by_location[location].append(service)
    fields = ("service_id", "location_id", "freq", "byday", "opens_at", "closes_at", "valid_from", "valid_to")
    own: dict[Any, list[rules.Hours]] = defaultdict(list)
    at_place: dict[Any, list[rules.Hours]] = defaultdict(list)
    query = Schedule.objects.filter(Q(service__in=list(pks)) | Q(location__in=list(by_location)))
    for row in query.values_list(*fields):
        hours = rules.Hours(*row[2:])
        if row[0] is not None:
            own[row[0]].append(hours)
        for service in by_location.get(row[1], []) if row[1] else []:
            at_place[service].append(hours)
    return {pk: own.get(pk) or at_place.get(pk, []) for pk in pks}


def ranked(
    network: Network,
    criteria: Criteria,
    *,
    now: datetime,
    favourites: set[Any],
) -> list[Candidate]:
    """Every matching service, best first."""
    rows = list(_filtered(network, criteria).values_list("pk", "name"))
    pks = [pk for pk, _ in rows]
    places = _locations(pks)
    hours = schedules_of(pks, places)
    out = []
    for pk, name in rows:
        candidate = Candidate(pk=pk, name=name, favourite=pk in favourites)
        candidate.open_now = any(rules.is_open(h, now) for h in hours[pk]) if hours[pk] else None
        if criteria.point is not None:
            distances = [
                rules.miles_between(criteria.point, (lat, lon))
                for _, lat, lon in places.get(pk, [])
                if lat is not None and lon is not None
            ]
            candidate.distance = min(distances) if distances else None
            candidate.unplaced_miles = criteria.radius_miles
            if candidate.distance is not None and candidate.distance > criteria.radius_miles:
                continue
        if criteria.open_now and not candidate.open_now:
            continue
        out.append(candidate)
    out.sort(key=lambda c: (-c.score(), c.distance if c.distance is not None else 1e9, c.name))
    return out


def favourites() -> set[Any]:
    """The services the clinic in scope starred."""
    return set(Favourite.objects.values_list("service_id", flat=True))


def nearest_location(pk: Any, point: tuple[float, float] | None) -> Location | None:
    locations = [s.location for s in ServiceAtLocation.objects.filter(service=pk).select_related("location")]
    if not locations:
        return None
    if point is None:
        return locations[0]
    placed = [loc for loc in locations if loc.latitude is not None and loc.longitude is not None]
    if not placed:
        return locations[0]
    return min(placed, key=lambda loc: rules.miles_between(point, (loc.latitude, loc.longitude)))  # type: ignore[arg-type]
