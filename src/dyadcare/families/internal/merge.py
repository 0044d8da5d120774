"""Moving a child's rows from one record to another, and back.

Every model that points at a child (visits, screening sessions, results, flags, screens given
elsewhere, caregiver links: whatever the domains above declare) is found from Django's model
registry, so this module needs to know none of them. What moved is listed by model, field and
row id, which is what an undo moves back."""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.db import models

from dyadcare.families.models import CareRelationship, Child, ChildMerge, DuplicateOverride

# Records about the merge itself, or the duplicate check: they stay where they are. So does
# a model that says ``stays_on_merge = True``: a summary worked out from the child's other
# rows, which its domain works out again when told the child changed (``ChildChanged``).
_STAY = (Child, ChildMerge, DuplicateOverride)


def _relations() -> Iterator[tuple[type[models.Model], str]]:
    for rel in Child._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        model = rel.related_model
        if (
            isinstance(model, type)
            and issubclass(model, models.Model)
            and model not in _STAY
            and not getattr(model, "stays_on_merge", False)
        ):
            yield model, rel.field.name  # type: ignore[union-attr]


def move_rows(*, source: Child, target: Child) -> dict[str, list[str]]:
    """Point every row of ``source`` at ``target``; return what moved. A caregiver already
    linked to ``target`` keeps their link to ``source`` (one link per pair)."""
    moved: dict[str, list[str]] = {}
    for model, field in _relations():
        rows = model._default_manager.filter(**{field: source})
        if model is CareRelationship:
            already = CareRelationship.objects.filter(child=target).values_list("caregiver_id", flat=True)
            rows = rows.exclude(caregiver_id__in=list(already))
        ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
        if ids:
            model._default_manager.filter(pk__in=ids).update(**{field: target})
            moved[f"{model._meta.label_lower}:{field}"] = ids
    return moved


def move_back(*, moved: dict[str, list[str]], source: Child, target: Child) -> int:
    """Undo ``move_rows``: rows listed in ``moved`` that still point at ``target`` go back to
    ``source``. Rows added to ``target`` since the merge stay with it. Returns the count."""
    count = 0
    for key, ids in moved.items():
        label, field = key.split(":", 1)
        model = apps.get_model(label)
        count += model._default_manager.filter(pk__in=ids, **{field: target}).update(**{field: source})
    return count
