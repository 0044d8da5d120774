"""The registry of audit actions. Tenancy declares the generic verbs (viewed, searched,
created, changed, …) and the security events; each domain declares its own actions, namespaced
by the domain (``screening.link_sent``, ``screening.dob_failed``), in its ``audit_actions``
module, so an entry says what happened in the domain's own words.

    class ScreeningAction:
        LINK_SENT = action("screening.link_sent", _("Sent a family link"))

    ScreeningAction.LINK_SENT == "screening.link_sent"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CODE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?")
MAX_LENGTH = 60


Kind = Literal["read", "write", "security"]


@dataclass(frozen=True)
class AuditAction:
    """``kind``: a read of a record, a write (a record created, changed or removed), or a
    security event (signing in, a wrong date of birth on a family link)."""

    code: str
    label: str | Promise
    kind: Kind

    def __post_init__(self) -> None:
        if not CODE.fullmatch(self.code) or len(self.code) > MAX_LENGTH:
            raise ValueError(f"audit action {self.code!r}: lower case, namespaced as 'domain.what'")


_REGISTRY: dict[str, AuditAction] = {}


def register(action: AuditAction) -> str:
    known = _REGISTRY.get(action.code)
    if known is not None and known != action:
        raise ValueError(f"audit action {action.code} is declared twice")
    _REGISTRY[action.code] = action
    return action.code


def action(code: str, label: str | Promise, *, kind: Kind = "write") -> str:
    """Declare an audit action (in a domain's ``audit_actions`` module); returns its code."""
    return register(AuditAction(code, label, kind))


def is_known(code: str) -> bool:
    return code in _REGISTRY


def of_kind(kind: Kind) -> frozenset[str]:
    """The codes of every action of ``kind`` (``of_kind("write")``: every change to a record)."""
    return frozenset(a.code for a in _REGISTRY.values() if a.kind == kind)


def label_of(code: str) -> str:
    action = _REGISTRY.get(code)
    return str(action.label) if action else code


def choices() -> list[tuple[str, str]]:
    """Every action as (code, label), generic verbs first, then by domain."""
    generic = [a for a in _REGISTRY.values() if "." not in a.code]
    domain = sorted((a for a in _REGISTRY.values() if "." in a.code), key=lambda a: a.code)
    return [(a.code, str(a.label)) for a in [*generic, *domain]]


class Action:
    """The generic verbs every domain may use, and the security events."""

    VIEW = action("view", _("Viewed"), kind="read")
    SEARCH = action("search", _("Searched"), kind="read")
    CREATE = action("create", _("Created"))
    UPDATE = action("update", _("Changed"))
    DELETE = action("delete", _("Deleted"))
    EXPORT = action("export", _("Exported"), kind="read")
    PRINT = action("print", _("Printed"), kind="read")
    LOGIN = action("login", _("Logged in"), kind="security")
    LOGOUT = action("logout", _("Logged out"), kind="security")
    LOGIN_FAILED = action("login_failed", _("Failed login"), kind="security")
    SWITCH_CLINIC = action("switch_clinic", _("Switched clinic"), kind="security")
    LOCKED_OUT = action("locked_out", _("Locked out after failed logins"), kind="security")
    ACCESS_DENIED = action("access_denied", _("Refused a page or record"), kind="security")
