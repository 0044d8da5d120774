"""What the audit log says of families, in the domain's own words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.auditactions import action


class FamilyAction:
    DUPLICATE_OVERRIDDEN = action(
        "families.duplicate_overridden", _("Registered a child despite possible duplicates (with a reason)")
    )
    MERGED = action("families.merged", _("Merged two records of one child"))
    MERGE_UNDONE = action("families.merge_undone", _("Undid the merge of two records"))
