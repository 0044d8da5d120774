"""The clinic scope. Every model that holds protected health information uses
:class:`ClinicScopedModel`, whose manager refuses to run a query unless a clinic scope is
open: a forgotten filter fails loudly instead of leaking another clinic's families.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar, Self

from django.db import models
from django_scopes import ScopedManager, scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from dyadcare.tenancy.models import Clinic

__all__ = [
    "ClinicScopedModel",
    "ScopeError",
    "clinic_scope",
    "clinics_scope",
    "unscoped",
]


@contextmanager
def clinic_scope(clinic: Clinic) -> Iterator[Clinic]:
    """Open the scope of one clinic: queries on scoped models see only its rows."""
    if not isinstance(clinic, Clinic) or clinic._state.adding:
        raise ScopeError("A clinic scope needs a saved clinic")
    with scope(clinic=clinic):
        yield clinic


@contextmanager
def clinics_scope(clinics: Sequence[Clinic]) -> Iterator[None]:
    """Open a scope over several clinics, for de-identified aggregates across a network."""
    ids = [c.pk for c in clinics if isinstance(c, Clinic) and not c._state.adding]
    if len(ids) != len(clinics):
        raise ScopeError("A multi-clinic scope needs saved clinics")
    with scope(clinic=ids):
        yield


@contextmanager
def unscoped(reason: str) -> Iterator[None]:
    """Turn the scope off, for the few operator tools that work across every clinic (demo
    data, record counts). ``reason`` documents the call site; a test lists the callers."""
    if not reason:
        raise ValueError("Say why the clinic scope is turned off")
    with scopes_disabled():
        yield


class ClinicScopedModel(models.Model):
    """A record about a person: a UUID key, its clinic, and a clinic-scoped manager."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    if TYPE_CHECKING:
        objects: ClassVar[models.Manager[Self]]
    else:
        objects = ScopedManager(clinic="clinic")

    class Meta:
        abstract = True
