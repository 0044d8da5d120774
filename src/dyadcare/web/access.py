"""How a staff page declares who may use it.

Every URL the staff interface serves is wrapped by exactly one of the decorators below, which
attach an :class:`~dyadcare.tenancy.entry.Access` rule to the view. A test walks every URL
pattern, reads the rule, and proves that staff of another clinic get 404, a role without the
permission gets 403 and a page marked ``phi`` leaves an audit entry, so a new view cannot skip
the checks unnoticed. ``clinic_view`` opens the clinic scope, once per request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.addresses import client_address
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.entry import Access, Phi, acting_in, clinic_entry, mark, network_entry
from dyadcare.tenancy.models import Clinic, Network, User
from dyadcare.tenancy.roles import permissions_for

View = Callable[..., HttpResponseBase]

__all__ = [
    "Access",
    "StaffRequest",
    "View",
    "clinic_view",
    "network_view",
    "public_view",
    "redirect_back",
    "staff_view",
]


class StaffRequest(HttpRequest):
    """What the decorators add to the request (for type checking)."""

    user: User
    actor: Actor
    clinic: Clinic
    network: Network


def actor_for(
    request: HttpRequest, *, clinic: Clinic | None, network: Network | None, roles: tuple[str, ...]
) -> Actor:
    user = request.user
    assert isinstance(user, User)
    return Actor.for_staff(
        user,
        clinic=clinic,
        network=network,
        roles=roles,
        ip=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        path=request.path,
    )


def denied(request: HttpRequest, status: int) -> None:
    """Record a refused page or record (403, or 404: not in this clinic, or no such record) as a
    security event: it reaches the administrators of every clinic the person works in."""
    actor = actor_for(request, clinic=None, network=None, roles=())
    audit_record(
        actor=actor, action=Action.ACCESS_DENIED, summary=f"{status} {request.method} {request.path}"
    )


def public_view(view: View) -> View:
    """Open to anyone: the login page, language switch, health check."""
    return mark(view, Access(scope="public"))


def staff_view(view: View) -> View:
    """Any logged-in staff member, outside a clinic (choosing a clinic, logging out)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return mark(wrapper, Access(scope="staff"))


def clinic_view(perm: str, *, phi: Phi) -> Callable[[View], View]:
    """A page inside one clinic (``/c/<clinic_slug>/…``). Staff who hold no role there get
    404; those whose roles lack ``perm`` get 403. The view runs inside the clinic scope."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, clinic_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            entry = clinic_entry(request.user, clinic_slug)  # type: ignore[arg-type]
            if entry is None:
                denied(request, 404)
                raise Http404
            if perm not in permissions_for(entry.roles):
                denied(request, 403)
                raise PermissionDenied
            clinic = entry.clinic
            actor = actor_for(request, clinic=clinic, network=clinic.network, roles=entry.roles)
            request.clinic = clinic  # type: ignore[attr-defined]
            request.network = clinic.network  # type: ignore[attr-defined]
            request.actor = actor  # type: ignore[attr-defined]
            request.session["place"] = clinic.slug
            try:
                with acting_in(actor):
                    return view(request, *args, **kwargs)
            except Http404:
                denied(request, 404)
                raise
            except PermissionDenied:
                denied(request, 403)
                raise

        return mark(wrapper, Access(scope="clinic", perm=perm, phi=phi))

    return decorate


def network_view(perm: str) -> Callable[[View], View]:
    """A TA-center page (``/n/<network_slug>/…``): de-identified figures only. No clinic
    scope is open, so a query on a record about a person raises."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, network_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            entry = network_entry(request.user, network_slug)  # type: ignore[arg-type]
            if entry is None:
                raise Http404
            network, roles = entry
            if perm not in permissions_for(roles):
                raise PermissionDenied
            request.network = network  # type: ignore[attr-defined]
            request.actor = actor_for(  # type: ignore[attr-defined]
                request, clinic=None, network=network, roles=roles
            )
            request.session["place"] = "n:" + network.slug
            return view(request, *args, **kwargs)

        return mark(wrapper, Access(scope="network", perm=perm))

    return decorate


def redirect_back(request: StaffRequest, fallback: HttpResponseBase) -> HttpResponseBase:
    """Back to the page named in the form's ``next`` field when it is a page of the same
    clinic (never an outside address), else ``fallback``."""
    from django.shortcuts import redirect

    back = request.POST.get("next", "")
    if back.startswith(f"/c/{request.clinic.slug}/") and "//" not in back:
        return redirect(back)
    return fallback
