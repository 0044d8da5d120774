"""Each result keeps the parameter values that scored it (``parameters``, defaults included).

Results scored before this migration are backfilled only where the record proves the values
they were scored with, and otherwise left null ("not recorded"):

- the result's instrument version must still be the library's (else today's defaults may not
  be the defaults it was scored with);
- a clinic's parameter values used to be overwritten in place and deleted on reset, so what
  was in force before a parameter's last change is lost. When it last changed is known: the
  kept row's time, and the audit entry every change wrote (which also names resets). A
  result scored after the last change of every parameter of its instrument (or of an
  instrument whose parameters the clinic never changed) gets today's values; an earlier one
  is left null.

The library's parameters and defaults are read from its data files as they are when the
migration runs (the same files that scored the results of the same version).
"""

import json
import re
from pathlib import Path

from django.db import migrations, models

import dyadcare.instruments

LIBRARY = Path(dyadcare.instruments.__file__).resolve().parent / "library"
SAFE_ID = re.compile(r"^[a-z0-9-]+$")
CHANGED = "changed: "


def _library(instrument_id):  # type: ignore[no-untyped-def]
    """(version, {parameter: default}) of a library instrument, or None."""
    path = LIBRARY / f"{instrument_id}.json"
    if not SAFE_ID.match(instrument_id) or not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    defaults = {p["name"]: p["default"] for p in data.get("parameters", [])}
    return str(data.get("version", "1")), defaults


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Result = apps.get_model("screening", "ScreeningResult")
    Parameter = apps.get_model("instruments", "ClinicParameter")
    AuditEvent = apps.get_model("tenancy", "AuditEvent")
    value_now = {}
    last_change = {}
    for clinic_id, instrument_id, name, value, since in Parameter.objects.order_by(
        "effective_from", "id"
    ).values_list("clinic_id", "instrument_id", "name", "value", "effective_from"):
        key = (clinic_id, instrument_id, name)
        value_now[key] = value
        last_change[key] = since
    changes = AuditEvent.objects.filter(
        object_type="instruments.clinicparameter", summary__startswith=CHANGED, clinic__isnull=False
    ).values_list("clinic_id", "object_id", "summary", "at")
    for clinic_id, instrument_id, summary, at in changes:
        for name in summary[len(CHANGED) :].split(", "):
            key = (clinic_id, instrument_id, name)
            if key not in last_change or last_change[key] < at:
                last_change[key] = at
    groups = (
        Result.objects.filter(parameters__isnull=True)
        .order_by()
        .values_list("clinic_id", "instrument_id", "instrument_version")
        .distinct()
    )
    for clinic_id, instrument_id, version in list(groups):
        known = _library(instrument_id)
        if known is None or known[0] != version:
            continue
        defaults = known[1]
        values = {}
        for name, default in defaults.items():
            value = value_now.get((clinic_id, instrument_id, name))
            values[name] = default if value is None else value
        keys = [(clinic_id, instrument_id, name) for name in defaults]
        changed = [last_change[key] for key in keys if key in last_change]
        results = Result.objects.filter(
            clinic_id=clinic_id,
            instrument_id=instrument_id,
            instrument_version=version,
            parameters__isnull=True,
        )
        if changed:
            results = results.filter(scored_at__gte=max(changed))
        results.update(parameters=values)


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0002_link_attempts_move_to_publiclinks"),
        ("instruments", "0002_parameter_history_and_clinic_scope"),
        ("tenancy", "0003_audit_action_namespaced"),
    ]

    operations = [
        migrations.AddField(
            model_name="screeningresult",
            name="parameters",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
