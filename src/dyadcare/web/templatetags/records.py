"""Template helpers about a family's records: the merges a child's record took part in."""

from __future__ import annotations

from typing import Any

from django import template

from dyadcare.families import selectors
from dyadcare.families.models import Child
from dyadcare.families.permissions import FamilyPerm

register = template.Library()


@register.inclusion_tag("web/children/_merges.html", takes_context=True)
def child_merges(context: dict[str, Any], child: Child) -> dict[str, Any]:
    """Notices on a child's page: merged into another record, or records merged into this
    one (with undo for a clinic administrator while it is allowed)."""
    request = context["request"]
    actor = request.actor
    return {
        "child": child,
        "current_clinic": context.get("current_clinic"),
        "csrf_token": context.get("csrf_token"),
        "merges": selectors.child_merges(actor=actor, child=child),
        "can_merge": actor.can(FamilyPerm.MERGE),
    }
