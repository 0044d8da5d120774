"""The audit log becomes tamper-evident: every entry is chained by hash to the one before it in
its clinic (or network, or the instance), each chain's end is kept in ``AuditChainHead``, and
database triggers refuse DELETE (and TRUNCATE on PostgreSQL) as well as UPDATE.

Entries written before are chained here, in the order they were written (time, then id). The
UPDATE trigger is lifted for that one pass and every trigger installed again afterwards (SQLite
rebuilds the table to add a column, which drops its triggers).
"""

from django.db import migrations, models

from dyadcare.tenancy.audit_triggers import create_statements, drop_statements


def _execute(schema_editor, statements):  # type: ignore[no-untyped-def]
    for statement in statements:
        schema_editor.execute(statement.strip())


def chain_existing_entries(apps, schema_editor):  # type: ignore[no-untyped-def]
    from dyadcare.tenancy.auditchain import chain_existing

    vendor = schema_editor.connection.vendor
    event_model = apps.get_model("tenancy", "AuditEvent")
    head_model = apps.get_model("tenancy", "AuditChainHead")
    _execute(schema_editor, drop_statements(vendor))
    heads: dict[str, tuple[int, str]] = {}
    events = event_model._base_manager.order_by("at", "id").iterator(chunk_size=2000)
    for entry in chain_existing(events, heads):
        event_model._base_manager.filter(pk=entry.pk).update(
            chain=entry.chain, seq=entry.seq, hash=entry.hash
        )
    head_model._base_manager.bulk_create(
        [head_model(chain=chain, seq=seq, hash=digest) for chain, (seq, digest) in heads.items()]
    )
    _execute(schema_editor, create_statements(vendor))


def unchain(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Back to 0003: only UPDATE refused (the chain columns are dropped by the schema steps)."""
    vendor = schema_editor.connection.vendor
    _execute(schema_editor, drop_statements(vendor))
    _execute(schema_editor, [s for s in create_statements(vendor) if "no_update" in s or "FUNCTION" in s])


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0003_audit_action_namespaced"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("chain", models.CharField(max_length=80, primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0)),
                ("hash", models.CharField(default="", max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.CharField(default="", editable=False, max_length=80),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_chain_seq"),
        ),
        migrations.RunPython(chain_existing_entries, unchain),
    ]
