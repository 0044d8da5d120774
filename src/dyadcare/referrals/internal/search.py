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

from django.db.models import Case, F, Q, QuerySet, Value, When

from dyadcare.referrals import rules
from dyadcare.referrals.internal import open_now
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
    """The matching services; each filter is an indexed subquery (``pk IN (…)``) run once,
    not a correlated one per service."""
    services = Service.objects.filter(network=network, status=Service.Status.ACTIVE)
    if c.need is not None:
        terms = TaxonomyTerm.objects.filter(network=network, code__in=c.need.codes)
        tagged = Attribute.objects.filter(taxonomy_term__in=terms, service__isnull=False)
        services = services.filter(pk__in=tagged.values("service_id"))
    if c.text:
        services = services.filter(Q(name__icontains=c.text) | Q(description__icontains=c.text))
    if c.child_age_months is not None:
        years = c.child_age_months / 12
        services = services.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=years),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=c.child_age_months // 12),
        )
    if c.language:
        services = services.filter(_speaks(network, c.language))
    if c.point is not None:
        lat0, lat1, lon0, lon1 = rules.bounding_box(c.point, c.radius_miles)
        placed = ServiceAtLocation.objects.filter(network=network, location__latitude__isnull=False)
        near = placed.filter(location__latitude__range=(lat0, lat1), location__longitude__range=(lon0, lon1))
        inside = Q(pk__in=near.values("service_id"))
        services = services.filter(inside | ~Q(pk__in=placed.values("service_id")))
    return services


def _speaks(network: Network, language: str) -> Q:
    code = language.lower()
    spoken = Language.objects.filter(network=network)
    spoken = spoken.filter(code__in=_spellings(code)) if len(code) <= 4 else spoken.filter(code__iexact=code)
    at_location = ServiceAtLocation.objects.filter(
        network=network, location__in=spoken.filter(location__isnull=False).values("location_id")
    )
    q = Q(pk__in=spoken.filter(service__isnull=False).values("service_id")) | Q(
        pk__in=at_location.values("service_id")
    )
    if code == "en":
        listed = Language.objects.filter(network=network, service__isnull=False)
        q |= ~Q(pk__in=listed.values("service_id"))
    return q


def _spellings(code: str) -> list[str]:
    """The case spellings of a language code, so the (network, code) index serves the match
    (codes are two or three letters: sixteen spellings at most)."""
    out = {""}
    for ch in code:
        out = {o + v for o in out for v in {ch.lower(), ch.upper()}}
    return sorted(out)


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


def _network_places(network: Network, c: Criteria, pks: list[Any]) -> dict[Any, list[tuple[float, float]]]:
    """The coordinates of the candidates' locations inside the search's bounding box."""
    lat0, lat1, lon0, lon1 = rules.bounding_box(c.point, c.radius_miles)  # type: ignore[arg-type]
    rows = ServiceAtLocation.objects.filter(
        network=network,
        location__latitude__range=(lat0, lat1),
        location__longitude__range=(lon0, lon1),
        service__in=pks,
    ).values_list("service_id", "location__latitude", "location__longitude")
    out: dict[Any, list[tuple[float, float]]] = defaultdict(list)
    for service, lat, lon in rows:
        if lat is not None and lon is not None:
            out[service].append((lat, lon))
    return out


def _scored(network: Network, c: Criteria, now: datetime, favourites: set[Any]) -> Any:
    """The matches with ``points`` (2 for a favourite, 1 when open now) worked out in SQL."""
    services = (
        _filtered(network, c)
        .annotate(
            fav_points=Case(When(pk__in=list(favourites), then=Value(2)), default=Value(0)),
            open_points=Case(When(open_now.open_now(now), then=Value(1)), default=Value(0)),
        )
        .annotate(points=F("fav_points") + F("open_points"))
    )
    if c.open_now:
        services = services.filter(open_points=1)
    return services


def ranked_page(
    network: Network,
    criteria: Criteria,
    *,
    now: datetime,
    favourites: set[Any],
    page: int,
    size: int,
) -> tuple[int, int, list[Candidate]]:
    """(number of matches, page number, that page's candidates best first). Without a ZIP
    code the ranking is in SQL and only the page is read; with one, only the services inside
    the bounding box (and those with no place on the map) are read, and distance worked out
    for them."""
    services = _scored(network, criteria, now, favourites)
    if criteria.point is None:
        total = services.count()
        pages = max(1, -(-total // size))
        page = min(max(1, page), pages)
        chosen = services.order_by("-points", "name", "pk")[(page - 1) * size : page * size]
        rows = list(chosen.values_list("pk", "name", "fav_points", "open_points"))
        return total, page, [_candidate(row) for row in rows]
    rows = list(services.values_list("pk", "name", "fav_points", "open_points"))
    places = _network_places(network, criteria, [row[0] for row in rows])
    out = []
    for row in rows:
        candidate = _candidate(row)
        distances = [rules.miles_between(criteria.point, p) for p in places.get(row[0], [])]
        candidate.distance = min(distances) if distances else None
        candidate.unplaced_miles = criteria.radius_miles
        if candidate.distance is not None and candidate.distance > criteria.radius_miles:
            continue
        out.append(candidate)
    out.sort(key=lambda c: (-c.score(), c.distance if c.distance is not None else 1e9, c.name))
    pages = max(1, -(-len(out) // size))
    page = min(max(1, page), pages)
    return len(out), page, out[(page - 1) * size : page * size]


def _candidate(row: tuple[Any, str, int, int]) -> Candidate:
    return Candidate(pk=row[0], name=row[1], favourite=bool(row[2]), open_now=bool(row[3]))


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
