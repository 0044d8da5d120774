"""The referral workflow's records (Gravity SDOH Clinical Care): a ``Referral`` is the
ServiceRequest (the need, why, for whom, who asked, to which service) together with the state of
its one Task (status, business status, the receiving organisation as owner, the next update
due, the no-login link the organisation updates it through); ``ReferralConsent`` is the
caregiver's permission to share; ``ReferralEvent`` is the Task's history, one row per change.

The service is copied onto the referral when it is made (name, organisation, phone, email,
address, website, hours): what the family and the organisation were told stays as it was,
whatever the directory says later. A free-text service (typed by staff) has no directory row.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dyadcare.care.models import Goal
from dyadcare.families.models import Caregiver, Child
from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.models import User
from dyadcare.tenancy.scope import ClinicScopedModel


class Referral(ClinicScopedModel):
    class Basis(models.TextChoices):
        SCREENING = "screening", _("A positive screening result")
        GOAL = "goal", _("A care plan goal")
        JUDGEMENT = "judgement", _("Staff judgement")

    class Status(models.TextChoices):  # the Task's status (referrals/data/task_transitions.json)
        REQUESTED = "requested", _("Sent, waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Declined by the organization")
        CANCELLED = "cancelled", _("Cancelled")
        IN_PROGRESS = "in-progress", _("In progress")
        ON_HOLD = "on-hold", _("On hold")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Could not be completed")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email with a link")
        PRINT = "print", _("Printed or by phone")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    caregiver = models.ForeignKey(Caregiver, on_delete=models.PROTECT, related_name="+")
    need = models.CharField(_("need"), max_length=40)
    basis = models.CharField(max_length=10, choices=Basis.choices)
    result = models.ForeignKey(
        ScreeningResult, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(_("reason"), max_length=400, blank=True)
    requester = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # The service: a directory row (network-wide) or free text, copied here either way.
    service = models.ForeignKey(
        "referrals.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    service_name = models.CharField(_("service"), max_length=300)
    organization_name = models.CharField(_("organization"), max_length=300, blank=True)
    service_phone = models.CharField(_("phone"), max_length=60, blank=True)
    service_email = models.EmailField(_("email for referrals"), blank=True)
    service_address = models.CharField(_("address"), max_length=400, blank=True)
    service_website = models.CharField(_("website"), max_length=500, blank=True)
    service_hours = models.CharField(_("hours"), max_length=400, blank=True)
    # The Task.
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    business_status = models.CharField(max_length=30, blank=True)
    status_reason = models.CharField(max_length=400, blank=True)
    due_on = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=6, choices=Channel.choices, blank=True)
    language = models.CharField(max_length=5, default="en")  # the family's, for its summary
    # The organisation's no-login link: the token only as a hash.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    link_closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "status", "due_on"], name="referral_status_due")]

    def __str__(self) -> str:
        return f"referral {self.pk} ({self.need}, {self.status})"


class ReferralConsent(ClinicScopedModel):
    """A caregiver's permission to share, recorded before anything leaves the clinic."""

    class Method(models.TextChoices):
        VERBAL = "verbal", _("Verbal")
        WRITTEN = "written", _("Written (signed)")

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="consent")
    caregiver = models.ForeignKey(Caregiver, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("how"), max_length=8, choices=Method.choices)
    consented_on = models.DateField(_("when"))
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    shares = models.JSONField(default=list)  # what may be shared (referrals.sharing.ITEMS)

    def __str__(self) -> str:
        return f"consent {self.referral_id} ({self.method})"


class ReferralEvent(ClinicScopedModel):
    """One change of the Task: from, to, why, who and when (append-only)."""

    class By(models.TextChoices):
        STAFF = "staff", _("Clinic staff")
        PARTNER = "partner", _("The receiving organization, through its link")
        PHONE = "phone", _("Phone update taken by staff")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    business_status = models.CharField(max_length=30, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    by = models.CharField(max_length=8, choices=By.choices)
    by_user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    caller = models.CharField(max_length=200, blank=True)  # a phone update: who called
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "created_at"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status} → {self.to_status}"
