"""Template context for staff pages: where the person may go and what they may do."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from dyadcare.tenancy.roles import Perm
from dyadcare.tenancy.selectors import places_for_user


def staff_context(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"DEMO_MODE": settings.DEMO_MODE, "Perm": Perm}
    if not request.user.is_authenticated:
        return context
    actor = getattr(request, "actor", None)
    context["places"] = places_for_user(request.user)  # type: ignore[arg-type]
    context["current_clinic"] = getattr(request, "clinic", None)
    context["current_network"] = getattr(request, "network", None)
    context["perms_here"] = actor.permissions if actor else frozenset()
    context["session_idle_minutes"] = settings.SESSION_IDLE_MINUTES
    return context
