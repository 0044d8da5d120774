"""Claim lines derived from the clinic's work, their history, export batches, and what billing
needs to know that no other domain keeps: providers' billing details, children's coverage,
the clinic's billing settings and its overrides of inferred or unverified rules.

A claim line belongs to its source (one screening result or one logged service) and to a
*slot* of that source (the rule that produced it): re-evaluating a source updates or voids its
lines and never adds a second one for the same slot (a unique constraint holds it).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dyadcare.families.models import Child
from dyadcare.tenancy.models import User
from dyadcare.tenancy.scope import ClinicScopedModel


class ClaimBatch(ClinicScopedModel):
    """One export of released lines (a CSV file or an X12 837P interchange): who, when, what."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        X12_837P = "837p", _("X12 837P")

    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    file_name = models.CharField(_("file"), max_length=120, blank=True)
    file_sha256 = models.CharField(_("file hash (SHA-256)"), max_length=64, blank=True)
    # The interchange control number of an 837P (ISA13), unique per clinic.
    control_number = models.PositiveIntegerField(null=True, blank=True)
    period_from = models.DateField(null=True, blank=True)
    period_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "control_number"],
                condition=models.Q(control_number__isnull=False),
                name="billing_batch_control_number_per_clinic",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.created_at:%Y-%m-%d} ({self.line_count})"


class ClaimLine(ClinicScopedModel):
    """One billable line: a code for one child, one rendering provider and one date of service,
    derived from a source by one rule of a payer's rule set."""

    class Status(models.TextChoices):
        READY = "ready", _("Ready")
        HELD = "held", _("Held")
        RELEASED = "released", _("Released")
        EXPORTED = "exported", _("Exported")
        VOIDED = "voided", _("Voided")

    class Source(models.TextChoices):
        SCREENING = "screening", _("Screening result")
        SERVICE = "service", _("Logged service")

    source_kind = models.CharField(max_length=12, choices=Source.choices)
    source_id = models.UUIDField()  # a screening.ScreeningResult or a care.ServiceEntry
    slot = models.CharField(max_length=40)  # which line of its source: the rule's slot
    rule_id = models.CharField(max_length=60)  # the payer rule that produced it
    payer = models.CharField(_("payer"), max_length=30, default="medi-cal")
    plan = models.CharField(_("managed care plan"), max_length=40, blank=True)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    # Empty when the work names no staff member (a family's own screening with no clinician on
    # the visit): the line is then held for it.
    rendering = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rendering provider"),
    )
    service_date = models.DateField(_("date of service"))
    code = models.CharField(_("code"), max_length=10)
    modifiers = models.JSONField(_("modifiers"), default=list, blank=True)
    units = models.PositiveSmallIntegerField(_("units"), default=1)
    minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # Why a line is held: [{"code": "no-follow-up-plan", "params": {...}}] (plain words and the
    # fix that releases each are in billing/reasons.py).
    reasons = models.JSONField(default=list, blank=True)
    # The reasons' codes, space-separated and space-padded (" no-medi-cal-id "), to filter on.
    reason_codes = models.CharField(max_length=300, blank=True, default="")
    # What a person should know without it holding the line: the inferred or unverified rules
    # it rests on, a DBH visit that may duplicate the medical one, ...
    notes = models.JSONField(default=list, blank=True)
    medi_cal_id = models.CharField(_("Medi-Cal ID (CIN)"), max_length=9, blank=True)
    diagnosis_codes = models.JSONField(default=list, blank=True)
    batch = models.ForeignKey(
        ClaimBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    source_version = models.PositiveSmallIntegerField(default=1)
    # Voided by a person (not because its source went): re-evaluation leaves it voided.
    voided_by_staff = models.BooleanField(default=False)
    evaluated_at = models.DateTimeField()

    class Meta:
        ordering = ["service_date", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "source_kind", "source_id", "slot"], name="billing_line_one_per_source_slot"
            )
        ]
        indexes = [
            models.Index(fields=["clinic", "status", "service_date"], name="billing_line_status"),
            models.Index(fields=["clinic", "child", "code", "service_date"], name="billing_line_child_code"),
            models.Index(fields=["clinic", "source_kind", "source_id"], name="billing_line_source"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.service_date} {self.status}"

    @property
    def open(self) -> bool:
        """Still the evaluator's to change (not yet exported, not voided by a person)."""
        return self.status in (self.Status.READY, self.Status.HELD, self.Status.RELEASED)


class ClaimLineChange(ClinicScopedModel):
    """One change of a line's status or content: who (empty for the evaluator), when, why."""

    line = models.ForeignKey(ClaimLine, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    why = models.CharField(max_length=40)  # e.g. "evaluated", "source-changed", "released", "voided"
    note = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)  # what changed: {"units": [1, 2]}

    class Meta:
        ordering = ["created_at"]


class BillingProfile(ClinicScopedModel):
    """A staff member's billing details in this clinic, recorded by billing staff. Where it is
    missing, billing reads the staff member's credential (tenancy.Credential)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    licence_type = models.CharField(_("licence type"), max_length=20, blank=True)  # billing/data licences
    npi = models.CharField(_("NPI"), max_length=10, blank=True)
    supervisor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("supervisor")
    )
    aces_aware_attested_on = models.DateField(_("ACEs Aware attestation date"), null=True, blank=True)
    aces_recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    aces_recorded_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "user"], name="billing_profile_one_per_user")
        ]


class Coverage(ClinicScopedModel):
    """A child's Medi-Cal coverage as billing knows it, as a history (the newest row is the
    coverage now; a merge of two records of one child may bring both histories together).
    Where there is none, billing reads the Medi-Cal ID on the child's record and takes a child
    with one as enrolled."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    medi_cal_id = models.CharField(_("Medi-Cal ID (CIN)"), max_length=9, blank=True)
    plan = models.CharField(_("managed care plan"), max_length=40, blank=True)  # "" = fee for service
    enrolled = models.BooleanField(_("enrolled"), default=True)
    checked_on = models.DateField(_("eligibility checked on"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]


class BillingSettings(ClinicScopedModel):
    """The clinic's billing choices (its billing NPI and tax ID are on the clinic itself)."""

    class ClinicType(models.TextChoices):
        NONE = "", _("Not an FQHC, RHC or Tribal clinic")
        FQHC = "fqhc", _("Federally qualified health center (FQHC)")
        RHC = "rhc", _("Rural health clinic (RHC)")
        TRIBAL = "tribal", _("Tribal health program")

    clinic_type = models.CharField(_("clinic type"), max_length=8, choices=ClinicType.choices, blank=True)
    # Minutes needed for one unit of a per-15-minute code: 8 is the CMS "8-minute" convention
    # (unverified for Medi-Cal, billing.md section 2). 15 bills whole units only.
    minutes_for_first_unit = models.PositiveSmallIntegerField(_("minutes for one unit"), default=8)
    eight_minute_rule = models.BooleanField(_("round units by the 8-minute rule"), default=True)
    default_plan = models.CharField(_("usual managed care plan"), max_length=40, blank=True)
    # Diagnosis codes per claim code ({"H1011": ["Z00.129"], "*": ["Z65.9"]}), billing.md section 5.
    z_codes = models.JSONField(_("diagnosis codes"), default=dict, blank=True)
    taxonomy_code = models.CharField(_("billing taxonomy code"), max_length=10, blank=True)
    submitter_id = models.CharField(_("submitter ID"), max_length=15, blank=True)
    receiver_id = models.CharField(_("receiver ID"), max_length=15, blank=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic"], name="billing_settings_one_per_clinic")]


class RuleOverride(ClinicScopedModel):
    """A clinic's choice about one inferred or unverified rule, for every plan (``plan`` empty)
    or one managed care plan: turned off, or given other parameters."""

    plan = models.CharField(_("managed care plan"), max_length=40, blank=True)
    rule_id = models.CharField(_("rule"), max_length=60)
    enabled = models.BooleanField(_("applies"), default=True)
    params = models.JSONField(default=dict, blank=True)
    reason = models.CharField(_("why"), max_length=300)
    set_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "plan", "rule_id"], name="billing_override_one_per_plan_rule"
            )
        ]


class TherapyBasis(ClinicScopedModel):
    """What lets a child under 21 have more than five family-therapy sessions without a mental
    health diagnosis (billing.md section 4): a diagnosis on file, or a listed risk factor of the
    child or a caregiver (keys in billing/data/medi-cal.json)."""

    class Kind(models.TextChoices):
        DIAGNOSIS = "diagnosis", _("Mental health diagnosis on file")
        RISK_FACTOR = "risk-factor", _("Listed risk factor")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("basis"), max_length=12, choices=Kind.choices)
    risk_factor = models.CharField(_("risk factor"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_on = models.DateField(_("from"))
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")


# The export's own records (the batch file, the clinic's claim-file details) live with it.
from dyadcare.billing.export.models import BatchFile, ExportSettings  # noqa: E402, F401
