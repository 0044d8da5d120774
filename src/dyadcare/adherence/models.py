"""Visit adherence: reminders before booked visits, a caregiver's choice about them, and the
outreach to families overdue for a touchpoint or who missed a visit."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from dyadcare.families.models import Caregiver, Child
from dyadcare.tenancy.models import Clinic, User
from dyadcare.tenancy.scope import ClinicScopedModel
from dyadcare.touchpoints.models import Visit


class ReminderSettings(models.Model):
    """A clinic's own reminder days and quiet hours (without a row: the data file's defaults).
    Clinic configuration, read in the clinic's scope like every clinic's data."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(_("send visit reminders"), default=True)
    days = models.JSONField(_("days before the visit"), default=list)
    quiet_start = models.TimeField(_("quiet hours start"))
    quiet_end = models.TimeField(_("quiet hours end"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    if TYPE_CHECKING:
        objects: ClassVar[models.Manager[ReminderSettings]]
    else:
        objects = ScopedManager(clinic="clinic")

    def __str__(self) -> str:
        return f"{self.clinic_id} {self.days} quiet {self.quiet_start}-{self.quiet_end}"


class ReminderChoice(ClinicScopedModel):
    """A caregiver's choice about visit reminders, as staff recorded it (the newest row is in
    force; the older ones are its history)."""

    class How(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("By phone")
        TEXT = "text", _("By text message")
        LETTER = "letter", _("By letter or email")
        OTHER = "other", _("Other")

    caregiver = models.ForeignKey(Caregiver, on_delete=models.CASCADE, related_name="reminder_choices")
    opted_out = models.BooleanField(_("no visit reminders"))
    how = models.CharField(_("how the family told us"), max_length=10, choices=How.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["caregiver", "-created_at"], name="reminder_choice_latest")]

    def __str__(self) -> str:
        return f"{self.caregiver_id} opted_out={self.opted_out}"


class Reminder(ClinicScopedModel):
    """One reminder of one booked visit, a given number of days before it: the message record
    (channel, address, language, outcome). Unique for the visit, the days and the time booked,
    so a sweep never sends it twice; a visit moved to another time is reminded again."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")
        OPTED_OUT = "opted_out", _("Not sent: the caregiver opted out")
        NO_CONTACT = "no_contact", _("Not sent: no consent to texts or email")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField(_("days before"))
    appointment = models.DateTimeField(_("visit time reminded"))
    caregiver = models.ForeignKey(Caregiver, on_delete=models.SET_NULL, null=True, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, blank=True)  # "sms", "email" or ""
    to = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "days_before", "appointment"], name="reminder_once_per_visit_time_offset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} -{self.days_before}d {self.status}"


class OutreachAttempt(ClinicScopedModel):
    """One try to reach a family overdue for a touchpoint or who missed a visit."""

    class Kind(models.TextChoices):
        CALL = "call", _("Phone call")
        TEXT = "text", _("Text message")
        LETTER = "letter", _("Letter")
        HOME_VISIT = "home_visit", _("Home visit")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached the family")
        BOOKED = "booked", _("Visit booked")
        LEFT_MESSAGE = "left_message", _("Left a message")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number or address")
        DECLINED = "declined", _("Family declined")

    class Reason(models.TextChoices):
        OVERDUE = "overdue", _("Overdue for a touchpoint")
        MISSED = "missed", _("Missed a visit")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="outreach_attempts")
    reason = models.CharField(_("why"), max_length=10, choices=Reason.choices)
    missed_visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    touchpoint = models.CharField(_("touchpoint"), max_length=10, blank=True)
    kind = models.CharField(_("how"), max_length=12, choices=Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    made_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["child", "-created_at"], name="outreach_child_latest")]

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind} {self.outcome}"


class OutreachNeed(ClinicScopedModel):
    """Why one child is on the outreach list now: a stored copy of what ``outreach._rows``
    decides for the child, so the list is an indexed query of one page. One row per child on
    the list (none for a child who is not on it); kept current by the visit and family events,
    by logging an attempt, and by the daily refresh of each clinic (``needs.py``)."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=OutreachAttempt.Reason.choices)
    since = models.DateField()  # the touchpoint's target date, or the missed visit's day
    touchpoint = models.CharField(max_length=10, blank=True)
    missed_visit = models.ForeignKey(Visit, on_delete=models.SET_NULL, null=True, related_name="+")
    attempts = models.PositiveIntegerField(default=0)  # attempts since the need began
    last_attempt = models.ForeignKey(OutreachAttempt, on_delete=models.SET_NULL, null=True, related_name="+")
    # "none" (not tried since the need began), "tried" (tried, the last try booked nothing)
    # or "booked" (the last try booked a visit): the list's contact filter.
    contact = models.CharField(max_length=6)
    computed_on = models.DateField()

    # A merge leaves it on its record; the merge's ChildChanged works both records out again.
    stays_on_merge = True

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "since", "child"], name="outreach_need_order"),
            models.Index(fields=["clinic", "reason", "since", "child"], name="outreach_need_reason"),
            models.Index(fields=["clinic", "contact", "since", "child"], name="outreach_need_contact"),
            models.Index(
                fields=["clinic", "reason", "contact", "since", "child"], name="outreach_need_reason_contact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.reason} since {self.since}"


class OutreachRefresh(models.Model):
    """The day a clinic's outreach needs were last all worked out again (dates roll: a
    target date passes without any event)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="+")
    refreshed_on = models.DateField()
    refreshed_at = models.DateTimeField()
    listed = models.PositiveIntegerField(default=0)  # the children on the list then

    if TYPE_CHECKING:
        objects: ClassVar[models.Manager[OutreachRefresh]]
    else:
        objects = ScopedManager(clinic="clinic")

    def __str__(self) -> str:
        return f"{self.clinic_id} {self.refreshed_on}"
