"""What a clinic adds to the bundled library: its licensed item text and its parameter values.

Both are a clinic's own data, so both are clinic-scoped: a query outside a clinic scope
raises, and inside one it sees that clinic's rows only (no code filters them by clinic by
hand). Parameter values are a history: each change is a new row, never updated or deleted,
so what a cut-off was on any day can be read back. Writes go through
:mod:`dyadcare.instruments.services`; reads through :mod:`dyadcare.instruments.selectors`
and the registry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from dyadcare.tenancy.models import Clinic


class ClinicItemText(models.Model):
    """The item text of a clinic-supplied instrument in one language, loaded by the clinic
    from its own licensed copy, with the copyright notice kept."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="instrument_texts")
    instrument_id = models.CharField(_("instrument"), max_length=40)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    # [{"number": 1, "text": "…", "options": ["…", …] or []}, …] in printed order
    items = models.JSONField(_("items"))
    copyright_notice = models.TextField(_("copyright notice"))
    source_note = models.CharField(_("where the text comes from"), max_length=300, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("loaded by")
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    if TYPE_CHECKING:
        objects: ClassVar[models.Manager[ClinicItemText]]
    else:
        objects = ScopedManager(clinic="clinic")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument_id", "language"], name="instrument_text_one_per_language"
            )
        ]
        ordering = ["instrument_id", "language"]

    def __str__(self) -> str:
        return f"{self.instrument_id} ({self.language})"

    def texts(self) -> list[str]:
        return [str(row["text"]) for row in self.items]

    def option_labels(self) -> list[list[str] | None]:
        return [list(row.get("options") or []) or None for row in self.items]


class ClinicParameterQuerySet(models.QuerySet["ClinicParameter"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Instrument settings are a history: a change is a new row")

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Instrument settings are a history: a change is a new row")


class ClinicParameter(models.Model):
    """One change of a clinic's value for a configurable parameter of an instrument (a
    cut-off, option weights, subscale items), in force from ``effective_from`` until the next
    change of the same parameter. ``value`` null: back to the library default. No row at a
    given time: the library default applies.

    Append-only: the model and its queryset refuse updates and deletes.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="instrument_parameters")
    instrument_id = models.CharField(_("instrument"), max_length=40)
    name = models.CharField(_("parameter"), max_length=60)
    value = models.JSONField(_("value"), null=True, blank=True)
    effective_from = models.DateTimeField(_("in force from"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    if TYPE_CHECKING:
        objects: ClassVar[models.Manager[ClinicParameter]]
    else:
        objects = ScopedManager(
            _manager_class=models.Manager.from_queryset(ClinicParameterQuerySet), clinic="clinic"
        )

    class Meta:
        ordering = ["instrument_id", "name", "-effective_from", "-id"]
        indexes = [
            models.Index(
                fields=["clinic", "instrument_id", "effective_from"], name="instrument_parameter_history"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id}.{self.name} from {self.effective_from:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Instrument settings are a history: a change is a new row")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Instrument settings are a history: a change is a new row")

    @property
    def is_reset(self) -> bool:
        """Back to the library default."""
        return self.value is None
