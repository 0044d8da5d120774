"""Entry points: where a request, a family's link or a background job starts acting in one
clinic. The clinic scope is opened here and nowhere else in the interfaces (``acting_in``),
once per entry point; what the view or job calls then runs inside it.

Every view also declares who may use it (:class:`Access`); a test walks every URL pattern and
proves each rule.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal, TypeVar

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.models import Clinic, Network, User
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.tenancy.selectors import clinic_roles, network_roles

Scope = Literal["public", "link", "staff", "clinic", "network"]
Phi = Literal["read", "write", "none"]
V = TypeVar("V", bound=Callable[..., Any])
R = TypeVar("R")


@dataclass(frozen=True)
class Access:
    """Who may use a view. ``scope``: anyone (``public``), the holder of a link's token
    (``link``), any signed-in staff member (``staff``), a role in the URL's clinic
    (``clinic``) or network (``network``) holding ``perm``. ``phi``: "read" for a page that
    shows a record about a person (its GET is audited), "write" for one that only changes
    records (its POST is audited), "none" otherwise."""

    scope: Scope
    perm: str | None = None
    phi: Phi = "none"


def mark(view: V, access: Access) -> V:
    view.access = access  # type: ignore[attr-defined]
    return view


@dataclass(frozen=True)
class ClinicEntry:
    clinic: Clinic
    roles: tuple[str, ...]


def clinic_entry(user: User, clinic_slug: str) -> ClinicEntry | None:
    """The clinic named in a URL and the roles ``user`` holds there, or None when the clinic
    does not exist or the person holds no role in it (both answer 404)."""
    clinic = Clinic.objects.select_related("network").filter(slug=clinic_slug).first()
    roles = clinic_roles(user, clinic) if clinic else ()
    return ClinicEntry(clinic, roles) if clinic and roles else None


def network_entry(user: User, network_slug: str) -> tuple[Network, tuple[str, ...]] | None:
    network = Network.objects.filter(slug=network_slug).first()
    roles = network_roles(user, network) if network else ()
    return (network, roles) if network and roles else None


@contextmanager
def acting_in(actor: Actor) -> Iterator[Actor]:
    """Run what follows in the actor's clinic scope: queries see that clinic's records only."""
    if actor.clinic is None:
        raise ValueError("acting in a clinic needs an actor with a clinic")
    with clinic_scope(actor.clinic):
        yield actor


def clinic_job(job: Callable[..., R]) -> Callable[..., R]:
    """A background job for one clinic: called with the clinic's id (a string, as queued),
    it runs inside that clinic's scope as a system actor named after the job."""

    @wraps(job)
    def run(clinic_id: str, *args: Any, **kwargs: Any) -> R:
        clinic = Clinic.objects.select_related("network").get(pk=uuid.UUID(str(clinic_id)))
        actor = Actor.system(job.__name__.replace("_", "-"), clinic=clinic)
        with acting_in(actor):
            return job(actor, *args, **kwargs)

    return run
