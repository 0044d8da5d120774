"""Login throttling that cannot be turned against the people it protects (django-axes).

Failed logins are recorded by django-axes, one row per name, address and browser. A login is
refused for the cool-off time (``AXES_COOLOFF_TIME``) when, within it, any of three counts
reaches its limit:

- one name from one address (``AXES_FAILURE_LIMIT``, 5): a person mistyping, or a guesser;
- one address, whatever the names (``LOGIN_ADDRESS_FAILURE_LIMIT``, 20): one password sprayed
  over many accounts;
- one name from addresses it has never logged in from (``LOGIN_ACCOUNT_FAILURE_LIMIT``, 20):
  one account guessed from many addresses. A person at an address where they logged in
  before is not held back by failures elsewhere (NIST SP 800-63B, 5.2.2), so a stranger
  cannot lock a clinician out at their own clinic.

The address is the client's, read through the trusted proxies (``tenancy/addresses.py``):
behind a proxy, one client's failures never lock out another.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


def known_address(username: str | None, address: str | None) -> bool:
    """Whether ``username`` logged in from ``address`` before."""
    if not username or not address:
        return False
    return bool(AccessLog.objects.filter(username=username, ip_address=address).exists())


class LoginThrottle(AxesDatabaseHandler):  # type: ignore[misc]
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The pair's failures, or the pair's limit when the address or the name has reached
        its own (django-axes compares this number with ``AXES_FAILURE_LIMIT``)."""
        username = get_client_username(request, credentials)
        address = request.axes_ip_address  # type: ignore[attr-defined]
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        pair = _failures(recent.filter(username=username, ip_address=address))
        limit = int(get_failure_limit(request, credentials))
        if _failures(recent.filter(ip_address=address)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(pair, limit)
        if (
            username
            and _failures(recent.filter(username=username)) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT
            and not known_address(username, address)
        ):
            return max(pair, limit)
        return pair
