"""What a clinic adds to the bundled library: its licensed item text and its parameter values.

Neither holds information about a person, so they are not clinic-scoped records; every
query names the clinic. Writes go through :mod:`dyadcare.instruments.services`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class ClinicParameter(models.Model):
    """A clinic's value for one configurable parameter of an instrument (a cut-off, option
    weights, subscale items). No row: the library default applies."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="instrument_parameters")
    instrument_id = models.CharField(_("instrument"), max_length=40)
    name = models.CharField(_("parameter"), max_length=60)
    value = models.JSONField(_("value"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument_id", "name"], name="instrument_parameter_once"
            )
        ]
        ordering = ["instrument_id", "name"]

    def __str__(self) -> str:
        return f"{self.instrument_id}.{self.name}"

    def as_override(self) -> dict[str, Any]:
        return {self.name: self.value}
