"""Care coordination records: a family's tier, care plan and goals, tasks, encounter notes and
the dyadic service log. Each belongs to one child (the dyad is the child with the caregivers
who care for them) and to the child's clinic."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dyadcare.families.models import Caregiver, Child
from dyadcare.screening.models import Flag, ScreeningResult
from dyadcare.tenancy.models import User
from dyadcare.tenancy.scope import ClinicScopedModel
from dyadcare.touchpoints.models import Visit


class TierAssignment(ClinicScopedModel):
    """One row per change of a child's tier: the newest is the tier now. Set by a person,
    never by a rule; ``suggestion`` names the suggestion it confirmed, if any."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=20)  # the tier model of care/data/tiers.json
    tier = models.PositiveSmallIntegerField(
        _("tier"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    reason = models.CharField(_("reason"), max_length=300)
    effective_on = models.DateField(_("from"))
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)
    suggestion = models.ForeignKey(
        "TierSuggestion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-effective_on", "-set_at"]
        indexes = [models.Index(fields=["clinic", "child", "-effective_on"])]


class TierSuggestion(ClinicScopedModel):
    """A tier a rule suggests from a result or an alert; kept apart from the tier a person set."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    tier = models.PositiveSmallIntegerField()
    rule = models.CharField(max_length=60)  # a key of care/data/tier_rules.json
    result = models.ForeignKey(ScreeningResult, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # The tier a person set that answered it (who and when): accepted if it named this one.
    answered_by = models.ForeignKey(
        "TierAssignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-tier", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["result", "rule"], name="care_suggestion_once")]


class CarePlan(ClinicScopedModel):
    """The dyad's plan: one open plan per child at a time."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    language = models.CharField(_("family's language"), max_length=5, default="en")
    priorities = models.TextField(_("the family's priorities, in their words"), blank=True)
    next_review_on = models.DateField(_("next review"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=models.Q(status="open"), name="care_one_open_plan"
            )
        ]


class Goal(ClinicScopedModel):
    class Outcome(models.TextChoices):
        ACTIVE = "active", _("Active")
        MET = "met", _("Met")
        PARTLY = "partly", _("Partly met")
        NOT_MET = "not_met", _("Not met")
        DECLINED = "declined", _("Family declined")

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    need = models.CharField(_("need"), max_length=40)  # a screening category, or "judgement"
    template = models.CharField(max_length=40, blank=True)
    text = models.CharField(_("goal, in the family's words"), max_length=400)
    language = models.CharField(_("language"), max_length=5, default="en")
    steps = models.TextField(_("steps"), blank=True)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    review_on = models.DateField(_("review date"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.ACTIVE)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["review_on", "created_at"]


class Task(ClinicScopedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_on = models.DateField(_("due"))
    flag = models.ForeignKey(Flag, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks")
    visit = models.ForeignKey(Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome_note = models.CharField(_("what was done"), max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "created_at"]
        indexes = [models.Index(fields=["clinic", "owner", "status", "due_on"])]


class TaskReassignment(ClinicScopedModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reassignments")
    from_owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    to_owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("why"), max_length=200)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)


class EncounterNote(ClinicScopedModel):
    """A note about the dyad. Its sensitivity labels (the codes screening results carry) decide
    who reads it, by the same rule as a result."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    caregiver = models.ForeignKey(
        Caregiver, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("note"))
    sensitivity = models.JSONField(default=list, blank=True)  # e.g. ["PSY"]
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_at"]


class ServiceEntry(ClinicScopedModel):
    """One service delivered to the dyad (a billable line or a program activity). Never deleted:
    a change keeps the previous version in ``revisions``; a void keeps the row with who and why."""

    class Place(models.TextChoices):
        CLINIC = "clinic", _("Clinic")
        TELEHEALTH = "telehealth", _("Telehealth")
        HOME = "home", _("Home")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    service_type = models.CharField(_("service"), max_length=40)  # a key of service_types.json
    delivered_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), null=True, blank=True, validators=[MaxValueValidator(600)]
    )
    place = models.CharField(_("place"), max_length=12, choices=Place.choices)
    delivered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("delivered by")
    )
    child_present = models.BooleanField(_("child present"), default=True)
    caregiver_ids = models.JSONField(default=list, blank=True)  # caregivers who took part
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveSmallIntegerField(default=1)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-delivered_on", "-recorded_at"]
        indexes = [models.Index(fields=["clinic", "child", "-delivered_on"])]

    def clean(self) -> None:
        if self.minutes is not None and self.minutes < 1:
            raise ValidationError({"minutes": [_("Minutes must be at least 1.")]})


class ServiceRevision(ClinicScopedModel):
    """A service entry as it was before a change, with who changed it and why."""

    entry = models.ForeignKey(ServiceEntry, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveSmallIntegerField()
    snapshot = models.JSONField()
    reason = models.CharField(max_length=200)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
