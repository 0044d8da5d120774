"""Children, caregivers, the relationships between them, and households.

Every model here is clinic-scoped: a query outside a clinic scope raises.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dyadcare.families.choices import (
    LANGUAGE_CHOICES,
    RACE_ETHNICITY_DECLINED,
    Relationship,
    Sex,
)
from dyadcare.families.phones import PhoneError, normalize_us_phone
from dyadcare.families.rules import (
    GA_MAX,
    GA_MIN,
    PRETERM_BEFORE,
    GestationalAge,
    RuleError,
    normalize_medi_cal_id,
    race_ethnicity_codes,
    search_key,
)
from dyadcare.tenancy.scope import ClinicScopedModel


def _validate_medi_cal_id(value: str) -> None:
    try:
        normalize_medi_cal_id(value)
    except RuleError as exc:
        raise ValidationError(
            _("A Medi-Cal ID (CIN) is 8 digits followed by a letter, for example 91234567A."),
            code="invalid_medi_cal_id",
        ) from exc


class Household(ClinicScopedModel):
    """The people who live together; siblings share one."""

    name = models.CharField(_("household name"), max_length=150)
    address_line = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(ClinicScopedModel):
    """Fields that children and caregivers share."""

    given_name = models.CharField(_("first name"), max_length=100)
    family_name = models.CharField(_("last name"), max_length=100)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=LANGUAGE_CHOICES, default="en"
    )
    medi_cal_id = models.CharField(
        _("Medi-Cal ID (CIN)"),
        max_length=14,
        blank=True,
        validators=[_validate_medi_cal_id],
        help_text=_("8 digits and a letter. A 14-character card number is shortened to its CIN."),
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Lower case, accents and punctuation removed: "garcia jose" finds "José García".
    search_name = models.CharField(max_length=220, editable=False, db_index=True)

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.medi_cal_id = normalize_medi_cal_id(self.medi_cal_id) if self.medi_cal_id else ""
        self.search_name = search_key(f"{self.family_name} {self.given_name}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_name", "medi_cal_id"}
        super().save(*args, **kwargs)

    def _normalise_identifiers(self) -> None:
        """Normalise before uniqueness checks, so '9123 4567-a' and '91234567A' collide."""
        if self.medi_cal_id:
            with contextlib.suppress(RuleError):  # the field validator reports it
                self.medi_cal_id = normalize_medi_cal_id(self.medi_cal_id)


class Child(Person):
    """A child in the clinic's dyadic program."""

    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex at birth"), max_length=3, choices=Sex.choices)
    # Gestational age at birth in days (33+2 is 233); empty when unknown.
    gestational_age_days = models.PositiveSmallIntegerField(
        _("gestational age at birth"),
        null=True,
        blank=True,
        help_text=_("Weeks+days, for example 38+4. Leave empty if unknown."),
    )
    mrn = models.CharField(_("MRN"), max_length=40, help_text=_("The clinic's medical record number."))
    race_ethnicity = models.JSONField(_("race and ethnicity"), default=list, blank=True)
    race_ethnicity_detail = models.CharField(
        _("race and ethnicity detail"),
        max_length=200,
        blank=True,
        help_text=_("For example: Mexican, Salvadoran, Hmong, Filipino."),
    )
    # Set when a clinic administrator merged this record into another (a duplicate): the
    # record stays, emptied of its visits and results, so the merge can be undone.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        constraints = [
            models.UniqueConstraint(fields=["clinic", "mrn"], name="child_unique_mrn_per_clinic"),
            models.UniqueConstraint(
                fields=["clinic", "medi_cal_id"],
                condition=~models.Q(medi_cal_id=""),
                name="child_unique_medi_cal_id_per_clinic",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(gestational_age_days__isnull=True)
                    | models.Q(
                        gestational_age_days__gte=GA_MIN.total_days,
                        gestational_age_days__lte=GA_MAX.total_days,
                    )
                ),
                name="child_gestational_age_range",
            ),
        ]
        indexes = [
            # Covers what the child list's search reads (name, MRN, merged or not, id), so
            # a search of a large clinic reads this index, not every row (docs/performance.md).
            models.Index(
                fields=["clinic", "search_name", "mrn", "merged_into", "id"], name="child_clinic_search_cover"
            ),
            models.Index(fields=["clinic", "date_of_birth"], name="child_clinic_dob"),
        ]

    @property
    def gestational_age(self) -> GestationalAge | None:
        if self.gestational_age_days is None:
            return None
        return GestationalAge(*divmod(self.gestational_age_days, 7))

    @property
    def is_preterm(self) -> bool:
        ga = self.gestational_age
        return ga is not None and ga < PRETERM_BEFORE

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        self._normalise_identifiers()
        self.mrn = self.mrn.strip()
        today = timezone.localdate()
        if self.date_of_birth and self.date_of_birth > today:
            errors.setdefault("date_of_birth", []).append(
                ValidationError(_("The date of birth cannot be in the future."), code="future")
            )
        if self.date_of_birth and self.date_of_birth < date(today.year - 22, 1, 1):
            errors.setdefault("date_of_birth", []).append(
                ValidationError(
                    _("Dyadic care is for children under 21: check the year of birth."),
                    code="too_old",
                )
            )
        ga_days = self.gestational_age_days
        if ga_days is not None and not GA_MIN.total_days <= ga_days <= GA_MAX.total_days:
            errors.setdefault("gestational_age_days", []).append(
                ValidationError(
                    _("Gestational age must be between %(low)s and %(high)s weeks."),
                    code="ga_range",
                    params={"low": GA_MIN, "high": GA_MAX},
                )
            )
        unknown = set(self.race_ethnicity or []) - {*race_ethnicity_codes(), RACE_ETHNICITY_DECLINED}
        if unknown:
            errors.setdefault("race_ethnicity", []).append(
                ValidationError(_("Choose from the categories listed."), code="race_unknown")
            )
        if RACE_ETHNICITY_DECLINED in (self.race_ethnicity or []) and len(self.race_ethnicity) > 1:
            errors.setdefault("race_ethnicity", []).append(
                ValidationError(
                    _("'Prefers not to answer' cannot be combined with a category."),
                    code="race_declined",
                )
            )
        if self.clinic_id and self.mrn:
            twins = Child.objects.filter(clinic_id=self.clinic_id, mrn=self.mrn).exclude(pk=self.pk)
            if twins.exists():
                errors.setdefault("mrn", []).append(
                    ValidationError(_("Another child in this clinic already has this MRN."), code="mrn_taken")
                )
        if self.clinic_id and self.medi_cal_id:
            twins = Child.objects.filter(clinic_id=self.clinic_id, medi_cal_id=self.medi_cal_id).exclude(
                pk=self.pk
            )
            if twins.exists():
                errors.setdefault("medi_cal_id", []).append(
                    ValidationError(
                        _("Another child in this clinic already has this Medi-Cal ID."),
                        code="medi_cal_id_taken",
                    )
                )
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude: Any = None) -> None:
        # clean() reports the two uniqueness rules at their fields; the database constraints
        # stay as the backstop against a race between two saves.
        pass


class Caregiver(Person):
    """A parent or other caregiver. One caregiver may care for several children."""

    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    consent_sms = models.BooleanField(_("agrees to text messages"), default=False)
    consent_email = models.BooleanField(_("agrees to email"), default=False)
    consent_updated_at = models.DateTimeField(_("consent last changed"), null=True, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("caregiver")
        verbose_name_plural = _("caregivers")
        indexes = [
            # Covers a search by name or by mobile phone (its last digits): it reads this index,
            # not every caregiver of the clinic.
            models.Index(
                fields=["clinic", "search_name", "phone", "id"], name="caregiver_clinic_search_cover"
            ),
        ]

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        self._normalise_identifiers()
        if self.phone:
            try:
                self.phone = normalize_us_phone(self.phone)
            except PhoneError:
                errors["phone"] = [
                    ValidationError(
                        _("Enter a 10-digit US phone number, for example (510) 555-0134."),
                        code="phone",
                    )
                ]
        if self.consent_sms and not self.phone:
            errors.setdefault("consent_sms", []).append(
                ValidationError(_("Add a mobile phone number to send texts."), code="sms_no_phone")
            )
        if self.consent_email and not self.email:
            errors.setdefault("consent_email", []).append(
                ValidationError(_("Add an email address to send email."), code="email_no_address")
            )
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            errors.setdefault("date_of_birth", []).append(
                ValidationError(_("The date of birth cannot be in the future."), code="future")
            )
        if errors:
            raise ValidationError(errors)


class CareRelationship(ClinicScopedModel):
    """How one caregiver is related to one child."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_relationships")
    caregiver = models.ForeignKey(Caregiver, on_delete=models.CASCADE, related_name="care_relationships")
    relationship = models.CharField(
        _("relationship to the child"), max_length=20, choices=Relationship.choices
    )
    is_primary = models.BooleanField(_("primary caregiver"), default=False)
    legal_guardian = models.BooleanField(_("legal guardian"), default=True)
    lives_with_child = models.BooleanField(_("lives with the child"), default=True)

    class Meta:
        ordering = ["-is_primary", "caregiver__family_name"]
        constraints = [
            models.UniqueConstraint(fields=["child", "caregiver"], name="relationship_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.caregiver} → {self.child}: {self.get_relationship_display()}"

    def clean(self) -> None:
        if self.child.clinic_id != self.clinic_id or self.caregiver.clinic_id != self.clinic_id:
            raise ValidationError(_("A child and a caregiver must belong to the same clinic."))


class DuplicateOverride(ClinicScopedModel):
    """A child or caregiver registered although the clinic had possible duplicates: who, why, and which."""

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, null=True, blank=True, related_name="duplicate_overrides"
    )
    caregiver = models.ForeignKey(
        Caregiver, on_delete=models.CASCADE, null=True, blank=True, related_name="duplicate_overrides"
    )
    reason = models.CharField(_("reason"), max_length=300)
    possible_duplicates = models.JSONField(default=list)  # ids of the children shown
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class ChildMerge(ClinicScopedModel):
    """Two records of one child made one. ``moved`` lists every row moved from the retired
    record to the surviving one (``{"app.model:field": [ids]}``), so the merge can be undone
    until ``undo_until``."""

    survivor = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_in")
    retired = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_out")
    reason = models.CharField(_("reason"), max_length=300)
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    undo_until = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    @property
    def can_undo(self) -> bool:
        return self.undone_at is None and timezone.now() <= self.undo_until
