"""What the audit log says of the community resource directory."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.auditactions import action


class ReferralsAction:
    DIRECTORY_IMPORTED = action("referrals.directory_imported", _("Imported the directory"))
    NOTE_SAVED = action("referrals.directory_note_saved", _("Saved a note on a community service"))
    FAVOURITE_ADDED = action("referrals.favourite_added", _("Starred a community service"))
    FAVOURITE_REMOVED = action("referrals.favourite_removed", _("Unstarred a community service"))


# The referral workflow ------------------------------------------------------------------------
class ReferralAction:
    CREATED = action("referrals.referral_created", _("Made a referral with the family's consent"))
    SENT = action("referrals.referral_sent", _("Sent a referral to the receiving organization"))
    LINK_CLOSED = action("referrals.link_closed", _("Closed a referral's organization link"))
    STATUS_CHANGED = action("referrals.status_changed", _("Changed a referral's status"))
    PHONE_UPDATE = action("referrals.phone_update", _("Recorded a referral update taken by phone"))
    SUMMARY_SENT = action("referrals.summary_sent", _("Sent the family its referral summary"))
