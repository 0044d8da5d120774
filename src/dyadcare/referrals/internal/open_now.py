"""``rules.is_open`` as a database condition, so that search can rank and filter by "open
now" in SQL without reading every service's hours into Python.

The weekday part of a ``byday`` (``MO``, ``1MO``, ``-1FR``) is matched against the few tokens
that name the given day (worked out here in Python), inside the comma-separated list. The
page shown is still labelled with ``rules.is_open`` on the page's own hours."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat, Replace, Upper

from dyadcare.referrals.models import Schedule, ServiceAtLocation
from dyadcare.referrals.rules import DAYS


def day_tokens(moment: datetime) -> list[str]:
    """Every ``byday`` part that names ``moment``'s day: ``TU``, ``1TU``, ``-5TU`` and so on."""
    day = DAYS[moment.weekday()]
    nth = (moment.day - 1) // 7 + 1
    first_next = date(moment.year + moment.month // 12, moment.month % 12 + 1, 1)
    from_end = ((first_next - moment.date()).days - 1) // 7 + 1
    return [day, f"{nth}{day}", f"+{nth}{day}", f"-{from_end}{day}"]


def _open_schedules(moment: datetime) -> QuerySet[Schedule]:
    today, now = moment.date(), moment.time()
    listed = Concat(Value(","), Replace(Upper("byday"), Value(" "), Value("")), Value(","))
    days = Q(byday_listed__regex=r"^,*$")
    for token in day_tokens(moment):
        days |= Q(byday_listed__contains=f",{token},")
    same_day = Q(opens_at__lte=now, closes_at__gt=now) & Q(closes_at__gt=F("opens_at"))
    overnight = Q(closes_at__lte=F("opens_at")) & (Q(opens_at__lte=now) | Q(closes_at__gt=now))
    return (
        Schedule.objects.annotate(byday_listed=listed, freq_upper=Upper("freq"))
        .filter(opens_at__isnull=False, closes_at__isnull=False)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .filter(freq_upper__in=["WEEKLY", "MONTHLY", ""])
        .filter(days)
        .filter(same_day | overnight)
    )


def open_now(moment: datetime) -> Q:
    """Services open at ``moment``: by their own hours, else (with none of their own) by the
    hours of one of their locations."""
    open_rows = _open_schedules(moment)
    own = Exists(open_rows.filter(service=OuterRef("pk")))
    has_own = Exists(Schedule.objects.filter(service=OuterRef("pk")))
    places = ServiceAtLocation.objects.filter(service=OuterRef(OuterRef("pk"))).values("location")
    at_place = Exists(open_rows.filter(location__in=places))
    return Q(own) | (~Q(has_own) & Q(at_place))
