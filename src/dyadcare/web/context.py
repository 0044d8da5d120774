"""Template context for staff pages: where the person may go and what they may do."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from dyadcare.tenancy.roles import all_permissions
from dyadcare.tenancy.selectors import places_for_user
from dyadcare.web.middleware import seconds_left


class Can:
    """``{% if can.visit_manage %}``: whether the person holds ``visit.manage`` here. Names
    are permission codes with dots as underscores; an unknown name is an error (a test reads
    every template)."""

    def __init__(self, granted: frozenset[str]) -> None:
        self._granted = granted

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_"):
            raise AttributeError(name)
        return permission_code(name) in self._granted


def permission_code(attribute: str) -> str:
    """``visit_manage`` → ``visit.manage`` (a permission's code; raises if none has it)."""
    for code in all_permissions():
        if code.replace(".", "_") == attribute:
            return code
    raise AttributeError(f"no permission is called {attribute!r}")


def staff_context(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"DEMO_MODE": settings.DEMO_MODE}
    if not request.user.is_authenticated:
        return context
    actor = getattr(request, "actor", None)
    granted = actor.permissions if actor else frozenset()
    context["places"] = places_for_user(request.user)  # type: ignore[arg-type]
    context["current_clinic"] = getattr(request, "clinic", None)
    context["current_network"] = getattr(request, "network", None)
    context["perms_here"] = granted
    context["can"] = Can(granted)
    context["session_idle_minutes"] = settings.SESSION_IDLE_MINUTES
    context["session_max_hours"] = settings.SESSION_MAX_HOURS
    context["session_times"] = seconds_left(request)
    return context
