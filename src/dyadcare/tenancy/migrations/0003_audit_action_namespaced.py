"""Audit actions are declared by each domain and namespaced (``screening.link_sent``): a longer
column without fixed choices. SQLite rebuilds the table to widen a column, which drops its
triggers, so the append-only trigger is put back."""

from django.db import migrations, models

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS tenancy_auditevent_no_update BEFORE UPDATE ON tenancy_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def restore_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER.strip())


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0002_audit_append_only")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(max_length=60, verbose_name="action"),
        ),
        migrations.RunPython(restore_trigger, restore_trigger),
    ]
