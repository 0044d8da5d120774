"""Visits and each clinic's schedule settings."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from dyadcare.families.choices import bilingual_label
from dyadcare.families.models import Child
from dyadcare.tenancy.models import Clinic, User
from dyadcare.tenancy.scope import ClinicScopedModel
from dyadcare.touchpoints.schedule import TOUCHPOINT_KEYS, touchpoints

# How far ahead a visit may be booked: well past the last touchpoint of a child born today.
BOOKING_HORIZON_DAYS = 5 * 366

TOUCHPOINT_CHOICES = [(t.key, bilingual_label(t.label, t.label_es)) for t in touchpoints()]


class Visit(ClinicScopedModel):
    """An appointment at the clinic, usually a well-child touchpoint."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        ARRIVED = "arrived", _("Arrived")
        COMPLETED = "completed", _("Completed")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        STAFF = "staff", _("Entered by staff")
        IMPORT = "import", _("Imported")
        DEMO = "demo", _("Demo data")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="visits")
    scheduled_for = models.DateTimeField(_("date and time"))
    touchpoint = models.CharField(
        _("well-child touchpoint"),
        max_length=10,
        choices=TOUCHPOINT_CHOICES,
        blank=True,
        help_text=_("Leave empty for a visit that is not a well-child touchpoint."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    clinician = models.ForeignKey(
        User, verbose_name=_("clinician"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    arrived_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Before screening was recorded by evidence, closing a visit ticked categories as done.
    # The ticks no result proves are kept here as they were recorded (migration
    # touchpoints/0002): shown on the visit page, never counted as done.
    ticked_without_evidence = models.JSONField(
        _("categories ticked at closing without a recorded result"), default=list, blank=True, editable=False
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)

    class Meta:
        ordering = ["scheduled_for"]
        indexes = [
            models.Index(fields=["clinic", "scheduled_for"], name="visit_clinic_time"),
            models.Index(fields=["child", "scheduled_for"], name="visit_child_time"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.scheduled_for:%Y-%m-%d %H:%M} {self.touchpoint or '-'}"

    def clean(self) -> None:
        if self.touchpoint and self.touchpoint not in TOUCHPOINT_KEYS:
            raise ValidationError({"touchpoint": _("Choose a touchpoint from the list.")})
        if self.child_id and self.child.clinic_id != self.clinic_id:
            raise ValidationError(_("The child belongs to another clinic."))
        if self.child_id and self.child.merged_into_id and self._state.adding:
            raise ValidationError(
                _("This record was merged into another record of the same child: book the visit there.")
            )
        if self.child_id and self.scheduled_for:
            day = timezone.localtime(self.scheduled_for).date()
            if day < self.child.date_of_birth:
                raise ValidationError({"scheduled_for": _("A visit cannot be before the child's birth.")})
            if day > timezone.localdate() + timedelta(days=BOOKING_HORIZON_DAYS):
                raise ValidationError({"scheduled_for": _("A visit can be booked at most five years ahead.")})

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SCHEDULED, self.Status.ARRIVED)


class ScheduleRule(models.Model):
    """A clinic's choice of instruments for one category at one touchpoint (``*``: all), or a
    category the clinic adds at a touchpoint. Clinic configuration, not a person's record, but
    a clinic's own: its queries run in the clinic scope like every clinic's data."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="schedule_rules")
    category = models.SlugField(_("category"), max_length=40)
    label = models.CharField(_("category name"), max_length=80, blank=True)
    touchpoint = models.CharField(_("touchpoint"), max_length=10)
    instruments = models.JSONField(_("instruments"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    if TYPE_CHECKING:
        objects: ClassVar[models.Manager[ScheduleRule]]
    else:
        objects = ScopedManager(clinic="clinic")

    class Meta:
        ordering = ["category", "touchpoint"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "category", "touchpoint"], name="schedule_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.clinic_id} {self.category}@{self.touchpoint}: {', '.join(self.instruments)}"


class VisitChange(ClinicScopedModel):
    """A visit moved to another time or cancelled, with why and by whom (the visit keeps its
    id, so its screenings and reminders follow it)."""

    class Kind(models.TextChoices):
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("change"), max_length=12, choices=Kind.choices)
    previous_time = models.DateTimeField(_("was booked for"))
    new_time = models.DateTimeField(_("moved to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.kind}"
