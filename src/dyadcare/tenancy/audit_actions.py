"""What tenancy records about clinics and staff accounts, besides the generic verbs and the
login events in ``auditactions.py``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.auditactions import action


class AccountAction:
    CLINIC_CREATED = action("tenancy.clinic_created", _("Created a clinic"))
    STAFF_INVITED = action("tenancy.staff_invited", _("Invited a staff member"))
    INVITE_ACCEPTED = action("tenancy.invite_accepted", _("Accepted an invitation"), kind="security")
    ROLES_SET = action("tenancy.roles_set", _("Changed a staff member's roles"))
    CREDENTIAL_SET = action("tenancy.credential_set", _("Changed a staff member's licence or NPI"))
    ATTESTATION_ADDED = action("tenancy.attestation_added", _("Recorded an attestation"))
    STAFF_DISABLED = action("tenancy.staff_disabled", _("Disabled a staff account"), kind="security")
    STAFF_ENABLED = action("tenancy.staff_enabled", _("Re-enabled a staff account"), kind="security")
    PASSWORD_CHANGED = action("tenancy.password_changed", _("Changed their password"), kind="security")
    RESET_REQUESTED = action("tenancy.reset_requested", _("Asked for a password reset"), kind="security")
    PASSWORD_RESET = action("tenancy.password_reset", _("Reset their password by email"), kind="security")
    MFA_ENROLLED = action("tenancy.mfa_enrolled", _("Set up two-step login"), kind="security")
    MFA_REMOVED = action("tenancy.mfa_removed", _("Removed two-step login"), kind="security")
    MFA_FAILED = action("tenancy.mfa_failed", _("Wrong two-step login code"), kind="security")
    MFA_RECOVERY_USED = action("tenancy.mfa_recovery_used", _("Used a recovery code"), kind="security")
