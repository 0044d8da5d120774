"""Who may see a screening result in full.

Results carry HL7 v3 ActCode sensitivity labels from their instrument (PSY mental health,
ETH substance use, SDV violence and abuse, SOC social needs). A viewer sees a result in full
only with the permission for each of its labels (and, for results without a label, the
permission to see screening results at all); otherwise they see a summary: which screen,
when, and whether it was positive, which is what a claim needs. The same rule governs
every surface derived from a result: a flag's reason and acknowledgement note are shown
only with full access to the result that raised it (``selectors.flag_views``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from django.utils.translation import gettext_lazy as _

from dyadcare.screening.permissions import ScreeningPerm

LABEL_PERMISSIONS: dict[str, str] = {
    "PSY": ScreeningPerm.VIEW_PSY,
    "ETH": ScreeningPerm.VIEW_ETH,
    "SDV": ScreeningPerm.VIEW_SDV,
    "SOC": ScreeningPerm.VIEW_SOC,
}
# A label this table does not know is treated as the most restricted one.
UNKNOWN_LABEL_PERMISSION = ScreeningPerm.VIEW_PSY

Access = Literal["full", "summary"]

# What a viewer without a result's permissions reads wherever a flag it raised is shown (its
# reason names the instrument's item or domain; the acknowledgement note is free text).
FOLLOW_UP_NEEDED = _("A screen needs a clinician's follow-up.")


def access(labels: Iterable[str], permissions: frozenset[str]) -> Access:
    if ScreeningPerm.VIEW not in permissions:
        return "summary"
    for label in labels:
        if LABEL_PERMISSIONS.get(label, UNKNOWN_LABEL_PERMISSION) not in permissions:
            return "summary"
    return "full"
