"""Clinic parameters become a history: each change is a new row in force from
``effective_from`` (a null value: back to the library default), never updated or deleted.

The rows that exist (one per clinic, instrument and parameter, overwritten in place until
now) are kept as the first history rows, in force from when they were last changed. Values
a clinic set and later changed or reset before this migration were not kept and cannot be
recovered. (The clinic scope of both models is a manager change: nothing in the database.)
"""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def keep_rows_as_history(apps, schema_editor):  # type: ignore[no-untyped-def]
    ClinicParameter = apps.get_model("instruments", "ClinicParameter")
    ClinicParameter.objects.update(effective_from=F("changed_at"))


def back_to_one_row_per_parameter(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Going back: the value in force now stays; the history and resets are dropped."""
    ClinicParameter = apps.get_model("instruments", "ClinicParameter")
    latest: dict[tuple[int, str, str], int] = {}
    for pk, clinic_id, instrument_id, name in ClinicParameter.objects.order_by(
        "effective_from", "id"
    ).values_list("pk", "clinic_id", "instrument_id", "name"):
        latest[(clinic_id, instrument_id, name)] = pk
    ClinicParameter.objects.exclude(pk__in=latest.values()).delete()
    ClinicParameter.objects.filter(value__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0001_clinic_text_and_parameters"),
        ("tenancy", "0003_audit_action_namespaced"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="clinicparameter",
            options={"ordering": ["instrument_id", "name", "-effective_from", "-id"]},
        ),
        migrations.AddField(
            model_name="clinicparameter",
            name="effective_from",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="in force from"),
        ),
        migrations.AlterField(
            model_name="clinicparameter",
            name="changed_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="changed at"),
        ),
        migrations.AlterField(
            model_name="clinicparameter",
            name="value",
            field=models.JSONField(blank=True, null=True, verbose_name="value"),
        ),
        migrations.RemoveConstraint(
            model_name="clinicparameter",
            name="instrument_parameter_once",
        ),
        migrations.RunPython(keep_rows_as_history, back_to_one_row_per_parameter),
        migrations.AddIndex(
            model_name="clinicparameter",
            index=models.Index(
                fields=["clinic", "instrument_id", "effective_from"], name="instrument_parameter_history"
            ),
        ),
    ]
