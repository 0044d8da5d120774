"""Screening sessions, their scored results, and the flags that need a person."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dyadcare.families.models import Caregiver, Child
from dyadcare.tenancy.models import User
from dyadcare.tenancy.scope import ClinicScopedModel
from dyadcare.touchpoints.models import Visit

# Wrong dates of birth over a link's life after which it closes for good (staff send a new
# link). With five wrong dates pausing the link for 15 minutes (screening/family.py), a
# forwarded link allows ten guesses among the ~1,100 dates of birth of a child under three.
DOB_WRONG_LIMIT = 10


class ScreeningSession(ClinicScopedModel):
    """The instruments one caregiver answers for one visit, on a phone (a link) or a clinic
    tablet (kiosk). Answers are saved as they are given, so nothing is lost on the way."""

    class Mode(models.TextChoices):
        LINK = "link", _("Link sent to the family")
        KIOSK = "kiosk", _("Clinic tablet")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted")
        CANCELLED = "cancelled", _("Closed by the clinic")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="screening_sessions")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    caregiver = models.ForeignKey(Caregiver, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.LINK)
    language = models.CharField(max_length=5, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # [{"id": "phq9", "age": null, "category": "maternal-depression"}, ...] in the order asked.
    instruments = models.JSONField(default=list)
    # {"phq9": [0, 1, null, ...], ...}: one entry per answer item, saved screen by screen.
    answers = models.JSONField(default=dict, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    link_sent_at = models.DateTimeField(null=True, blank=True)
    link_channel = models.CharField(max_length=10, blank=True)
    # Wrong dates of birth since the last pause, and over the link's life (a new link resets both).
    dob_failures = models.PositiveSmallIntegerField(default=0)
    dob_wrong_total = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    last_answer_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["visit", "status"], name="session_visit_status")]

    def __str__(self) -> str:
        return f"screening {self.pk} ({self.status})"

    @property
    def closed_by_wrong_dates(self) -> bool:
        """The link was closed after too many wrong dates of birth (until a new link)."""
        return self.dob_wrong_total >= DOB_WRONG_LIMIT

    @property
    def instrument_ids(self) -> list[str]:
        return [entry["id"] for entry in self.instruments]


# The stored FHIR JSON of a result (its QuestionnaireResponse and Observations): large, and
# read only by exports and the FHIR views, so list pages defer them.
FHIR_COLUMNS = ("questionnaire_response", "observations")


class ScreeningResult(ClinicScopedModel):
    """One instrument's scored result: what the engine printed, the answers, the FHIR
    QuestionnaireResponse and Observations, and the sensitivity labels that decide who sees it."""

    session = models.ForeignKey(
        ScreeningSession, on_delete=models.CASCADE, null=True, blank=True, related_name="results"
    )
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="screening_results")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="screening_results")
    caregiver = models.ForeignKey(
        Caregiver, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    instrument_id = models.CharField(max_length=40)
    instrument_version = models.CharField(max_length=20, blank=True)
    # The parameter values that scored it, defaults included ({"positive_at_least": 3}), so a
    # later change of the clinic's cut-off never changes what this result meant. Null: not
    # recorded (scored before results kept them, and not recoverable from the history).
    parameters = models.JSONField(null=True, blank=True)
    category = models.CharField(max_length=40, blank=True)
    respondent = models.CharField(max_length=30)
    language = models.CharField(max_length=5, default="en")
    answers = models.JSONField(default=list)
    total = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    positive = models.BooleanField(null=True)
    critical_items = models.JSONField(default=list, blank=True)
    subscores = models.JSONField(default=dict, blank=True)
    domains = models.JSONField(default=dict, blank=True)
    complete = models.BooleanField(default=True)
    sensitivity = models.JSONField(default=list, blank=True)  # HL7 v3 ActCode, e.g. ["PSY"]
    questionnaire_response = models.JSONField(null=True, blank=True)
    observations = models.JSONField(null=True, blank=True)
    entered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    scored_at = models.DateTimeField()

    class Meta:
        ordering = ["-scored_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "instrument_id"],
                condition=models.Q(session__isnull=False),
                name="result_once_per_session_instrument",
            )
        ]
        indexes = [
            models.Index(fields=["child", "instrument_id", "scored_at"], name="result_child_instrument"),
            models.Index(fields=["visit"], name="result_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.total} ({self.scored_at:%Y-%m-%d})"


RANK_CLOSED, RANK_FOLLOW_UP, RANK_QUIET = 4, 2, 1  # a flag's rank: their sum (0: an open escalated alert)


class Flag(ClinicScopedModel):
    """Something a person must act on: a safety alert (a critical answer or a positive safety
    screen, to be acknowledged at once) or a positive screen to follow up."""

    class Severity(models.TextChoices):
        ALERT = "alert", _("Safety alert")
        FOLLOW_UP = "follow_up", _("Follow up")

    result = models.ForeignKey(ScreeningResult, on_delete=models.CASCADE, related_name="flags")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="flags")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    reason = models.CharField(max_length=200)
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Who is following it up (a staff member of the clinic, assigned on the alerts worklist).
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The worklist's order, kept by the database: open before closed, safety alerts before
    # follow-ups, escalated before the rest (``RANK_*``). One indexed column, so a page of the
    # worklist reads the index in order and stops after its rows, not every flag of the clinic.
    rank = models.GeneratedField(
        expression=models.Case(
            models.When(resolved_at__isnull=False, then=models.Value(RANK_CLOSED)),
            default=models.Value(0),
        )
        + models.Case(
            models.When(severity="alert", then=models.Value(0)), default=models.Value(RANK_FOLLOW_UP)
        )
        + models.Case(
            models.When(escalated_at__isnull=False, then=models.Value(0)), default=models.Value(RANK_QUIET)
        ),
        output_field=models.IntegerField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-raised_at"]
        indexes = [
            # Open flags: the banner's counts read this index alone (polled by every staff page).
            models.Index(fields=["clinic", "resolved_at", "severity", "escalated_at"], name="flag_open"),
            models.Index(fields=["clinic", "owner", "resolved_at"], name="flag_owner"),
            models.Index(fields=["visit"], name="flag_visit"),
            models.Index(fields=["clinic", "rank", "-raised_at", "id"], name="flag_worklist"),
            models.Index(fields=["clinic", "owner", "rank", "-raised_at", "id"], name="flag_worklist_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.severity}: {self.reason}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class DoneElsewhere(ClinicScopedModel):
    """A screen given outside this clinic's records (at the obstetrician's, at another
    clinic, by a home-visiting program), recorded by a named staff member with the
    instrument, the date, where, and how they know. It is evidence that the category was
    done, so the schedule stops asking for it; it is never a result of this clinic (nothing
    bills it, and it raises no flag)."""

    class Outcome(models.TextChoices):
        NEGATIVE = "negative", _("Negative")
        POSITIVE = "positive", _("Positive")
        UNKNOWN = "unknown", _("Not known")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="done_elsewhere")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("screening category"), max_length=40)
    instrument_id = models.CharField(_("instrument"), max_length=40)
    done_on = models.DateField(_("date given"))
    place = models.CharField(_("where it was given"), max_length=120)
    outcome = models.CharField(_("result"), max_length=10, choices=Outcome.choices)
    reason = models.TextField(_("how you know"))
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-done_on", "-created_at"]
        indexes = [models.Index(fields=["child", "done_on"], name="elsewhere_child_day")]

    def __str__(self) -> str:
        return f"{self.category} {self.instrument_id} elsewhere {self.done_on}"


class AddedInstrument(ClinicScopedModel):
    """An instrument staff added to a visit beyond what the schedule made due (a PHQ-9 after
    a positive PHQ-2, a GAD-7 on concern), with who added it and why. The family can then be
    sent it, or staff enter its paper form."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="added_instruments")
    instrument_id = models.CharField(_("instrument"), max_length=40)
    category = models.CharField(max_length=40, blank=True)  # the category it fills, if any
    reason = models.CharField(_("why"), max_length=300)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "instrument_id"], name="added_instrument_once_per_visit")
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} added to {self.visit_id}"


class Message(ClinicScopedModel):
    """A link sent to a family (the token itself is never stored)."""

    session = models.ForeignKey(ScreeningSession, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(max_length=10)  # "sms" or "email"
    to = models.CharField(max_length=200)
    status = models.CharField(max_length=20)  # "sent" or "failed: …"
    sent_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"
