"""Networks, clinics, staff, memberships and the audit log."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from dyadcare.tenancy.roles import CLINIC_ROLES, NETWORK_ROLES, Role, permissions_for
from dyadcare.tenancy.validators import validate_npi


class Network(models.Model):
    """A technical-assistance center or a health system that supports several clinics."""

    class Kind(models.TextChoices):
        TA_CENTER = "ta_center", _("Technical-assistance center")
        HEALTH_SYSTEM = "health_system", _("Health system")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TA_CENTER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Clinic(models.Model):
    """A pediatric primary care clinic: every record about a person belongs to exactly one."""

    class ServiceModel(models.TextChoices):
        HEALTHYSTEPS = "healthysteps", _("HealthySteps")
        DULCE = "dulce", _("DULCE")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="clinics")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    service_model = models.CharField(_("service model"), max_length=20, choices=ServiceModel.choices)
    billing_npi = models.CharField(_("billing NPI"), max_length=10, blank=True, validators=[validate_npi])
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff member. Families never have an account."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Credential(models.Model):
    """A staff member's professional credentials: who may render and bill which service."""

    class LicenceType(models.TextChoices):
        MD = "md", _("Physician (MD)")
        DO = "do", _("Physician (DO)")
        NP = "np", _("Nurse practitioner")
        PA = "pa", _("Physician assistant")
        RN = "rn", _("Registered nurse")
        PSYCHOLOGIST = "psychologist", _("Licensed psychologist")
        LCSW = "lcsw", _("Licensed clinical social worker (LCSW)")
        LMFT = "lmft", _("Licensed marriage and family therapist (LMFT)")
        LPCC = "lpcc", _("Licensed professional clinical counselor (LPCC)")
        ASSOCIATE = "associate", _("Associate (ASW, AMFT, APCC) under supervision")
        CHW = "chw", _("Community health worker")
        NONE = "none", _("No clinical licence")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="credential")
    licence_type = models.CharField(
        _("licence type"), max_length=20, choices=LicenceType.choices, default=LicenceType.NONE
    )
    licence_number = models.CharField(_("licence number"), max_length=40, blank=True)
    npi = models.CharField(_("NPI"), max_length=10, blank=True, validators=[validate_npi])
    aces_aware_attested_on = models.DateField(_("ACEs Aware attestation date"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_licence_type_display()}"


class Membership(models.Model):
    """One role that one person holds in one clinic, or (TA-center roles) in one network."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(clinic__isnull=False, network__isnull=True)
                    | models.Q(clinic__isnull=True, network__isnull=False)
                ),
                name="membership_clinic_xor_network",
            ),
            models.UniqueConstraint(fields=["user", "clinic", "role"], name="membership_unique_clinic_role"),
            models.UniqueConstraint(
                fields=["user", "network", "role"], name="membership_unique_network_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.clinic or self.network}"

    def clean(self) -> None:
        if self.role in CLINIC_ROLES and self.clinic_id is None:
            raise ValidationError({"clinic": _("This role is held in a clinic.")})
        if self.role in NETWORK_ROLES and self.network_id is None:
            raise ValidationError({"network": _("This role is held in a network.")})

    @property
    def permissions(self) -> frozenset[str]:
        return permissions_for([self.role])


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only")

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only")


class AuditEvent(models.Model):
    """One read or write of protected health information, or one security event.

    Append-only: the model refuses updates and deletes, and database triggers refuse UPDATE
    and DELETE statements that bypass the ORM. Each entry is the next link of a hash chain
    (its clinic's, else its network's, else the instance's: ``tenancy/auditchain.py``), so a
    row removed, added or changed behind the triggers' back is found by ``dyadcare audit
    verify``. It names records by type and id, never by content.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(_("who"), max_length=150)
    roles = models.CharField(_("role"), max_length=200, blank=True)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("record type"), max_length=60, blank=True)
    object_id = models.CharField(_("record id"), max_length=64, blank=True, db_index=True)
    summary = models.CharField(_("detail"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("from browser"), max_length=300, blank=True)
    path = models.CharField(_("page"), max_length=300, blank=True)
    # The hash chain (set by tenancy.auditchain.append under the chain's lock).
    chain = models.CharField(max_length=80, default="", editable=False)
    seq = models.BigIntegerField(null=True, editable=False)
    hash = models.CharField(max_length=64, default="", editable=False)

    if TYPE_CHECKING:
        objects: ClassVar[models.Manager[AuditEvent]]
    else:
        objects = ScopedManager(
            _manager_class=models.Manager.from_queryset(AuditEventQuerySet), clinic="clinic"
        )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["clinic", "-at"], name="audit_clinic_at")]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("The audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only")

    @property
    def action_label(self) -> str:
        """The action in words (actions are declared by each domain, see auditactions.py)."""
        from dyadcare.tenancy.auditactions import label_of

        return label_of(self.action)


class AuditChainHead(models.Model):
    """The last link of one audit chain. Writers lock this row (``select_for_update``) while
    they append, so two concurrent writers cannot both extend the same entry; ``audit verify``
    compares it with the chain's last entry, so entries cut off the end are noticed."""

    chain = models.CharField(max_length=80, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq}"


__all__ = ["AuditChainHead", "AuditEvent", "Clinic", "Credential", "Membership", "Network", "Role", "User"]
