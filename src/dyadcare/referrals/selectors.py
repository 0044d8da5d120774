"""The referrals domain's reads of the community resource directory. Every read is of the
actor's network's directory only: a clinic in another network never sees it."""

from __future__ import annotations

from typing import Any

from dyadcare.referrals.internal.exporter import export_network
from dyadcare.referrals.permissions import ReferralsPerm
from dyadcare.tenancy.actor import Actor


def export_services(actor: Actor) -> list[dict[str, Any]]:
    """The directory as HSDS 3.0 service records (``service_full``), by service id."""
    actor.require(ReferralsPerm.DIRECTORY_VIEW)
    if actor.network is None:
        return []
    return export_network(actor.network)
