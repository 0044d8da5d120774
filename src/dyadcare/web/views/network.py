"""The TA center's view of its network: de-identified counts only."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dyadcare.families.aggregates import network_clinic_counts
from dyadcare.tenancy.audit import network_security_events
from dyadcare.tenancy.permissions import TenancyPerm
from dyadcare.web.access import StaffRequest, network_view


@network_view(TenancyPerm.NETWORK_AGGREGATE_VIEW)
@require_GET
def network_home(request: HttpRequest) -> HttpResponse:
    req = cast(StaffRequest, request)
    rows = network_clinic_counts(network=req.network)
    return render(req, "web/network/home.html", {"rows": rows})


@network_view(TenancyPerm.NETWORK_SECURITY_VIEW)
@require_GET
def network_security(request: HttpRequest) -> HttpResponse:
    """The network administrator's view of security events: logins, failures, lockouts and
    refused pages of the staff of every clinic of the network."""
    req = cast(StaffRequest, request)
    events = network_security_events(actor=req.actor)
    return render(req, "web/network/security.html", {"events": events})
