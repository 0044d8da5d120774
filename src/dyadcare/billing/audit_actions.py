"""What the audit log says of billing, in the domain's own words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.auditactions import action


class BillingAction:
    LINES_VIEWED = action("billing.lines_viewed", _("Viewed claim lines"), kind="read")
    LINE_VIEWED = action("billing.line_viewed", _("Viewed a claim line's history"), kind="read")
    LINES_EVALUATED = action("billing.lines_evaluated", _("Derived claim lines from the work"))
    LINES_RELEASED = action("billing.lines_released", _("Released claim lines for export"))
    LINE_VOIDED = action("billing.line_voided", _("Voided a claim line"))
    LINES_EXPORTED = action("billing.lines_exported", _("Exported a batch of claim lines"))
    PROVIDER_SET = action("billing.provider_set", _("Recorded a provider's billing details"))
    COVERAGE_SET = action("billing.coverage_set", _("Recorded a child's Medi-Cal coverage"))
    SETTINGS_SET = action("billing.settings_set", _("Changed the clinic's billing settings"))
    RULE_OVERRIDDEN = action("billing.rule_overridden", _("Overrode a billing rule for the clinic or a plan"))
