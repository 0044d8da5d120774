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
        placed = ServiceAtLocation.objects.filter(service=OuterRef("pk"), location__latitude__isnull=False)
        near = placed.filter(location__latitude__range=(lat0, lat1), location__longitude__range=(lon0, lon1))
        services = services.filter(Exists(near) | ~Exists(placed))
    return services


def _speaks(language: str) -> Q:
    code = language.lower()
    at_service = Language.objects.filter(service=OuterRef("pk"), code__iexact=code)
    at_location = Language.objects.filter(
        location__in=ServiceAtLocation.objects.filter(service=OuterRef(OuterRef("pk"))).values("location"),
        code__iexact=code,
    )
    q = Q(Exists(at_service)) | Q(Exists(at_location))
    if code == "en":
        listed = Language.objects.filter(service=OuterRef("pk"))
        q |= ~Q(Exists(listed))
    return q


def locations_of(pks: list[Any]) -> dict[Any, list[tuple[Any, float | None, float | None]]]:
    """Each service's locations with their coordinates (for a page of services)."""
    out: dict[Any, list[tuple[Any, float | None, float | None]]] = defaultdict(list)
    rows = ServiceAtLocation.objects.filter(service__in=pks).values_list(
        "service_id", "location_id", "location__latitude", "location__longitude"
    )
    for service, location, lat, lon in rows:
        out[service].append((location, lat, lon))
    return out


_HOURS = ("freq", "byday", "opens_at", "closes_at", "valid_from", "valid_to")


def schedules_of(
    pks: Iterable[Any], places: dict[Any, list[tuple[Any, float | None, float | None]]]
) -> dict[Any, list[rules.Hours]]:
    """Each service's opening hours: its own schedules, else its locations' (for a page)."""
    listed = list(pks)
    own: dict[Any, list[rules.Hours]] = defaultdict(list)
    for row in Schedule.objects.filter(service__in=listed).values_list("service_id", *_HOURS):
        own[row[0]].append(rules.Hours(*row[1:]))
    missing = {pk for pk in listed if pk not in own}
    at_place = _location_hours(
        Schedule.objects.filter(location__in=[loc for pk in missing for loc, _, _ in places.get(pk, [])]),
        {(pk, loc) for pk in missing for loc, _, _ in places.get(pk, [])},
    )
    return {pk: own.get(pk) or at_place.get(pk, []) for pk in listed}


def _location_hours(
    schedules: QuerySet[Schedule], pairs: set[tuple[Any, Any]]
) -> dict[Any, list[rules.Hours]]:
    by_location: dict[Any, list[Any]] = defaultdict(list)
    for service, location in pairs:
        by_location[location].append(service)
    out: dict[Any, list[rules.Hours]] = defaultdict(list)
    for row in schedules.values_list("location_id", *_HOURS):
        for service in by_location.get(row[0], []):
            out[service].append(rules.Hours(*row[1:]))
    return out


def _network_hours(network: Network) -> dict[Any, list[rules.Hours]]:
    """Every service's opening hours in the network, in three queries without a list of ids
    (its own schedules, else its locations')."""
    own: dict[Any, list[rules.Hours]] = defaultdict(list)
    mine = Schedule.objects.filter(network=network, service__isnull=False)
    for row in mine.values_list("service_id", *_HOURS):
        own[row[0]].append(rules.Hours(*row[1:]))
    at_place: dict[Any, list[rules.Hours]] = {}
    placed = Schedule.objects.filter(network=network, location__isnull=False)
    if placed.exists():
        pairs = set(
            ServiceAtLocation.objects.filter(network=network).values_list("service_id", "location_id")
        )
        at_place = _location_hours(placed, pairs)
    return {**at_place, **own}


def _network_places(network: Network, c: Criteria) -> dict[Any, list[tuple[float, float]]]:
    """The coordinates of every service location inside the search's bounding box."""
    lat0, lat1, lon0, lon1 = rules.bounding_box(c.point, c.radius_miles)  # type: ignore[arg-type]
    rows = ServiceAtLocation.objects.filter(
        network=network, location__latitude__range=(lat0, lat1), location__longitude__range=(lon0, lon1)
    ).values_list("service_id", "location__latitude", "location__longitude")
    out: dict[Any, list[tuple[float, float]]] = defaultdict(list)
    for service, lat, lon in rows:
        if lat is not None and lon is not None:
            out[service].append((lat, lon))
    return out


def ranked(
    network: Network,
    criteria: Criteria,
    *,
    now: datetime,
    favourites: set[Any],
) -> list[Candidate]:
    """Every matching service, best first."""
    rows = list(_filtered(network, criteria).values_list("pk", "name"))
    hours = _network_hours(network)
    places = _network_places(network, criteria) if criteria.point is not None else {}
    out = []
    for pk, name in rows:
        candidate = Candidate(pk=pk, name=name, favourite=pk in favourites)
        own = hours.get(pk)
        candidate.open_now = any(rules.is_open(h, now) for h in own) if own else None
        if criteria.point is not None:
            distances = [rules.miles_between(criteria.point, p) for p in places.get(pk, [])]
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


def nearest(
    locations: list[tuple[Any, float | None, float | None]], point: tuple[float, float] | None
) -> Any:
    """The id of the location nearest ``point`` (the first one without a point or places)."""
    if not locations:
        return None
    placed = [(loc, lat, lon) for loc, lat, lon in locations if lat is not None and lon is not None]
    if point is None or not placed:
        return locations[0][0]
    return min(placed, key=lambda p: rules.miles_between(point, (p[1], p[2])))[0]  # type: ignore[arg-type]
