"""The referrals domain's writes: importing the network's directory, and a clinic's notes and
favourites on a service. Keyword-only, take the Actor, check, save and audit in one
transaction."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dyadcare.referrals.audit_actions import ReferralsAction
from dyadcare.referrals.internal.importer import ImportResult, Progress, UnreadableInput, import_into
from dyadcare.referrals.models import DirectoryNote, Favourite, Service
from dyadcare.referrals.permissions import ReferralsPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.tenancy.models import Clinic, Network, User

__all__ = ["ImportResult", "UnreadableInput", "import_directory", "save_note", "toggle_favourite"]

NOTE_MAX = 2000


def import_directory(
    actor: Actor, *, network: Network, path: Path, progress: Progress | None = None
) -> ImportResult:
    """Import an HSDS 3.0 JSON file or tabular package into ``network``'s directory."""
    actor.require(ReferralsPerm.DIRECTORY_IMPORT)
    with transaction.atomic():
        result = import_into(network, path, progress)
        audit_record(
            actor=actor,
            action=ReferralsAction.DIRECTORY_IMPORTED,
            object_type="referrals.directory",
            object_id=str(network.pk),
            summary=(
                f"{result.organizations} organizations, {result.services} services, "
                f"{result.locations} locations, {len(result.rejected)} rejected"
            ),
        )
    return result


def _service_of(actor: Actor, service_id: object) -> Service:
    """A service of the actor's network, or DoesNotExist (a view answers 404)."""
    if actor.network is None:
        raise Service.DoesNotExist
    return Service.objects.get(pk=str(service_id), network=actor.network)


def _clinic_and_user(actor: Actor) -> tuple[Clinic, User]:
    if actor.clinic is None or actor.user is None:
        raise PermissionDenied("A clinic's notes and favourites are kept by its staff")
    return actor.clinic, actor.user


def save_note(actor: Actor, *, service_id: object, text: str) -> DirectoryNote | None:
    """Write (or, with empty text, remove) the clinic's note on a service."""
    actor.require(ReferralsPerm.DIRECTORY_MANAGE)
    text = text.strip()
    if len(text) > NOTE_MAX:
        raise ValidationError(_("A note is at most %(n)d characters.") % {"n": NOTE_MAX})
    with transaction.atomic():
        clinic, user = _clinic_and_user(actor)
        service = _service_of(actor, service_id)
        note = DirectoryNote.objects.filter(service=service).first()
        if not text:
            if note is not None:
                note.delete()
        elif note is None:
            note = DirectoryNote.objects.create(clinic=clinic, service=service, text=text, written_by=user)
        else:
            note.text, note.written_by = text, user
            note.save(update_fields=["text", "written_by", "updated_at"])
        audit_record(actor=actor, action=ReferralsAction.NOTE_SAVED, obj=service)
    return note if text else None


def toggle_favourite(actor: Actor, *, service_id: object) -> bool:
    """Star the service for the clinic, or unstar it; returns whether it is starred now."""
    actor.require(ReferralsPerm.DIRECTORY_MANAGE)
    with transaction.atomic():
        clinic, user = _clinic_and_user(actor)
        service = _service_of(actor, service_id)
        existing = Favourite.objects.filter(service=service).first()
        if existing is None:
            Favourite.objects.create(clinic=clinic, service=service, added_by=user)
            audit_record(actor=actor, action=ReferralsAction.FAVOURITE_ADDED, obj=service)
            return True
        existing.delete()
        audit_record(actor=actor, action=ReferralsAction.FAVOURITE_REMOVED, obj=service)
        return False
