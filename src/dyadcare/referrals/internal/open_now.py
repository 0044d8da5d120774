"""``rules.is_open`` as a database condition, so that search can rank and filter by "open
now" in SQL without reading every service's hours into Python.

The weekday part of a ``byday`` (``MO``, ``1MO``, ``-1FR``) is matched against the few tokens
that name the given day (worked out here in Python), inside the comma-separated list. The
page shown is still labelled with ``rules.is_open`` on the page's own hours."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat, Replace, Upper

from dyadcare.referrals.models import Schedule, ServiceAtLocation
from dyadcare.referrals.rules import DAYS
from dyadcare.tenancy.models import Network


def day_tokens(moment: datetime) -> list[str]:
    """Every ``byday`` part that names ``moment``'s day: ``TU``, ``1TU``, ``-5TU`` and so on."""
    day = DAYS[moment.weekday()]
    nth = (moment.day - 1) // 7 + 1
    first_next = date(moment.year + moment.month // 12, moment.month % 12 + 1, 1)
    from_end = ((first_next - moment.date()).days - 1) // 7 + 1
    return [day, f"{nth}{day}", f"+{nth}{day}", f"-{from_end}{day}"]


def _open_schedules(schedules: QuerySet[Schedule], moment: datetime) -> QuerySet[Schedule]:
    today, now = moment.date(), moment.time()
    listed = Concat(Value(","), Replace(Upper("byday"), Value(" "), Value("")), Value(","))
    days = Q(byday_listed__regex=r"^,*$")
    for token in day_tokens(moment):
        days |= Q(byday_listed__contains=f",{token},")
    same_day = Q(opens_at__lte=now, closes_at__gt=now) & Q(closes_at__gt=F("opens_at"))
    overnight = Q(closes_at__lte=F("opens_at")) & (Q(opens_at__lte=now) | Q(closes_at__gt=now))
    return (
        schedules.annotate(byday_listed=listed, freq_upper=Upper("freq"))
        .filter(opens_at__isnull=False, closes_at__isnull=False)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .filter(freq_upper__in=["WEEKLY", "MONTHLY", ""])
        .filter(days)
        .filter(same_day | overnight)
    )


def open_now(moment: datetime, network: Network | None = None) -> Q:
    """Services open at ``moment``: by their own hours, else (with none of their own) by the
    hours of one of their locations."""
    schedules = Schedule.objects.filter(network=network) if network is not None else Schedule.objects.all()
    places = ServiceAtLocation.objects.filter(network=network) if network else ServiceAtLocation.objects.all()
    open_rows = _open_schedules(schedules, moment)
    own = open_rows.filter(service__isnull=False).values("service_id")
    has_own = schedules.filter(service__isnull=False).values("service_id")
    open_places = open_rows.filter(location__isnull=False).values("location_id")
    at_place = places.filter(location__in=open_places).values("service_id")
    return Q(pk__in=own) | (~Q(pk__in=has_own) & Q(pk__in=at_place))
