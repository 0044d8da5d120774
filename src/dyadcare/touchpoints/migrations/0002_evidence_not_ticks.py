"""A screening category is done only by evidence, no longer by a tick at closing.

Closing a visit used to save a list of categories as done (``completed_categories``), pre-ticked
with every category due; family submissions and staff entry added the categories of their
results. From now on a category is done only by a record that shows it: a scored result, a
paper form entered by staff, or a screen recorded as done elsewhere (screening).

The ticks are not turned into evidence, and not thrown away:

- a tick that a result of the same visit and category proves (a complete result, or a
  positive one) needs nothing: the result is the evidence;
- every other tick is kept as it was recorded, in ``ticked_without_evidence``: the visit page
  shows it ("ticked at closing without a recorded result"), nothing counts it as done, and
  the audit log still holds who closed the visit. Staff who know a screen was given can
  enter its paper form or record where it was done.

Reversing puts the ticks back together with the categories the results prove. The old field
is removed by the next migration (a schema change of its own, after the data is moved).
"""

from django.db import migrations, models


def _proven(apps):  # type: ignore[no-untyped-def]
    """{visit id: categories a result of that visit proves}."""
    Result = apps.get_model("screening", "ScreeningResult")
    proven: dict = {}
    rows = (
        Result.objects.exclude(category="")
        .filter(models.Q(complete=True) | models.Q(positive=True))
        .values_list("visit_id", "category")
    )
    for visit_id, category in rows.iterator():
        proven.setdefault(visit_id, set()).add(category)
    return proven


def keep_unproven_ticks(apps, schema_editor):  # type: ignore[no-untyped-def]
    Visit = apps.get_model("touchpoints", "Visit")
    proven = _proven(apps)
    for visit in Visit.objects.exclude(completed_categories=[]).only("id", "completed_categories").iterator():
        ticked = sorted(set(visit.completed_categories or []) - proven.get(visit.id, set()))
        if ticked:
            Visit.objects.filter(pk=visit.pk).update(ticked_without_evidence=ticked)


def restore_ticks(apps, schema_editor):  # type: ignore[no-untyped-def]
    Visit = apps.get_model("touchpoints", "Visit")
    proven = _proven(apps)
    for visit in Visit.objects.only("id", "ticked_without_evidence").iterator():
        done = sorted(set(visit.ticked_without_evidence or []) | proven.get(visit.id, set()))
        if done:
            Visit.objects.filter(pk=visit.pk).update(completed_categories=done)


class Migration(migrations.Migration):
    dependencies = [
        ("touchpoints", "0001_visits_and_schedule_rules"),
        ("screening", "0003_result_parameters"),
    ]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="ticked_without_evidence",
            field=models.JSONField(
                blank=True,
                default=list,
                editable=False,
                verbose_name="categories ticked at closing without a recorded result",
            ),
        ),
        migrations.RunPython(keep_unproven_ticks, restore_ticks),
    ]
