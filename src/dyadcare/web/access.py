"""How a view declares who may use it.

Every URL the app serves is wrapped by exactly one of the decorators below, which attach an
:class:`Access` rule to the view. A test walks every URL pattern, reads the rule, and proves
that staff of another clinic get 404, a role without the permission gets 403 and a page
marked ``phi`` leaves an audit entry, so a new view cannot skip the checks unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.models import Clinic, Network, User
from dyadcare.tenancy.roles import permissions_for
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.tenancy.selectors import clinic_roles, network_roles

Scope = Literal["public", "staff", "clinic", "network"]
View = Callable[..., HttpResponseBase]


Phi = Literal["read", "write", "none"]


@dataclass(frozen=True)
class Access:
    """``phi``: "read" for a page that shows a record about a person (its GET is audited),
    "write" for one that only changes records (its POST is audited), "none" otherwise."""

    scope: Scope
    perm: str | None = None
    phi: Phi = "none"


class StaffRequest(HttpRequest):
    """What the decorators add to the request (for type checking)."""

    user: User
    actor: Actor
    clinic: Clinic
    network: Network


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


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
        ip=_client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        path=request.path,
    )


def _mark(view: View, access: Access) -> View:
    view.access = access  # type: ignore[attr-defined]
    return view


def public_view(view: View) -> View:
    """Open to anyone: the login page, language switch, health check, family links."""
    return _mark(view, Access(scope="public"))


def staff_view(view: View) -> View:
    """Any logged-in staff member, outside a clinic (choosing a clinic, logging out)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _mark(wrapper, Access(scope="staff"))


def clinic_view(perm: str, *, phi: Phi) -> Callable[[View], View]:
    """A page inside one clinic (``/c/<clinic_slug>/…``). Staff who hold no role there get
    404; those whose roles lack ``perm`` get 403. The view runs inside the clinic scope."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, clinic_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            clinic = Clinic.objects.select_related("network").filter(slug=clinic_slug).first()
            roles = clinic_roles(request.user, clinic) if clinic else ()  # type: ignore[arg-type]
            if clinic is None or not roles:
                raise Http404
            if perm not in permissions_for(roles):
                raise PermissionDenied
            request.clinic = clinic  # type: ignore[attr-defined]
            request.network = clinic.network  # type: ignore[attr-defined]
            request.actor = actor_for(  # type: ignore[attr-defined]
                request, clinic=clinic, network=clinic.network, roles=roles
            )
            request.session["place"] = clinic.slug
            with clinic_scope(clinic):
                return view(request, *args, **kwargs)

        return _mark(wrapper, Access(scope="clinic", perm=perm, phi=phi))

    return decorate


def network_view(perm: str) -> Callable[[View], View]:
    """A TA-center page (``/n/<network_slug>/…``): de-identified figures only. No clinic
    scope is open, so a query on a record about a person raises."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, network_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            network = Network.objects.filter(slug=network_slug).first()
            roles = network_roles(request.user, network) if network else ()  # type: ignore[arg-type]
            if network is None or not roles:
                raise Http404
            if perm not in permissions_for(roles):
                raise PermissionDenied
            request.network = network  # type: ignore[attr-defined]
            request.actor = actor_for(  # type: ignore[attr-defined]
                request, clinic=None, network=network, roles=roles
            )
            request.session["place"] = "n:" + network.slug
            return view(request, *args, **kwargs)

        return _mark(wrapper, Access(scope="network", perm=perm))

    return decorate


def redirect_back(request: StaffRequest, fallback: HttpResponseBase) -> HttpResponseBase:
    """Back to the page named in the form's ``next`` field when it is a page of the same
    clinic (never an outside address), else ``fallback``."""
    from django.shortcuts import redirect

    back = request.POST.get("next", "")
    if back.startswith(f"/c/{request.clinic.slug}/") and "//" not in back:
        return redirect(back)
    return fallback
