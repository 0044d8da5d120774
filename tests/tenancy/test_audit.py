"""The audit log is append-only, searchable and exportable."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope
from tests.factories import ClinicWorld, login


def _entry(world: ClinicWorld, **kwargs: str) -> AuditEvent:
    actor = Actor.for_staff(
        world.staff_a["clinic_admin"], clinic=world.a, roles=("clinic_admin",), ip="10.0.0.5"
    )
    return audit_record(
        actor=actor, action=kwargs.get("action", "view"), obj=world.child_a, summary=kwargs.get("summary", "")
    )


def test_entries_cannot_be_changed_or_deleted(world: ClinicWorld) -> None:
    event = _entry(world)
    event.summary = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with clinic_scope(world.a):
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).delete()
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).update(summary="tampered")


def test_the_database_refuses_an_update_that_bypasses_the_orm(world: ClinicWorld) -> None:
    event = _entry(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE tenancy_auditevent SET summary = 'x' WHERE id = %s", [event.pk])


def test_an_entry_names_who_what_where(world: ClinicWorld) -> None:
    event = _entry(world)
    assert world.child_a
    assert (
        event.actor_label,
        event.roles,
        event.clinic_id,
        event.object_type,
        event.object_id,
        event.ip,
    ) == (
        "clinic_admin-a",
        "clinic_admin",
        world.a.pk,
        "families.child",
        str(world.child_a.pk),
        "10.0.0.5",
    )


def test_clinic_admins_search_and_export_only_their_clinic(world: ClinicWorld, client: Client) -> None:
    _entry(world, summary="=HYPERLINK(evil)")
    assert world.child_b
    other = Actor.for_staff(world.admin_b, clinic=world.b, roles=("clinic_admin",))  # type: ignore[arg-type]
    audit_record(actor=other, action="view", obj=world.child_b)
    login(client, world.staff_a["clinic_admin"])
    page = client.get(f"/c/{world.a.slug}/audit/", {"action": "view"})
    assert page.status_code == 200
    assert str(world.child_b.pk)[:8] not in page.content.decode()
    response = client.get(f"/c/{world.a.slug}/audit/export.csv", {"action": "view"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows and {r["clinic"] for r in rows} == {world.a.slug}
    assert {r["action"] for r in rows} == {"view"}
    assert any(r["summary"] == "'=HYPERLINK(evil)" for r in rows), "formulas are neutralised"
    assert str(world.child_b.pk) not in {r["object_id"] for r in rows}


def test_audit_filters(world: ClinicWorld, client: Client) -> None:
    _entry(world, action="update")
    login(client, world.staff_a["clinic_admin"])
    assert world.child_a
    page = client.get(f"/c/{world.a.slug}/audit/", {"object_id": str(world.child_a.pk), "action": "update"})
    assert page.context["page"].paginator.count == 1
