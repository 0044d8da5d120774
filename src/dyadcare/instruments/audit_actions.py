"""What the audit log says of a clinic's instrument set-up."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.auditactions import action


class InstrumentAction:
    PARAMETERS_CHANGED = action("instruments.parameters_changed", _("Changed instrument settings"))
