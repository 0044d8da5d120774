"""What tenancy records about clinics and staff accounts, besides the generic verbs and the
login events in ``auditactions.py``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.auditactions import action


class AccountAction:
    CLINIC_CREATED = action("tenancy.clinic_created", _("Created a clinic"))
    STAFF_INVITED = action("tenancy.staff_invited", _("Invited a staff member"))
    INVITE_ACCEPTED = action("tenancy.invite_accepted", _("Accepted an invitation"), kind="security")
