"""What the audit log says of the community resource directory."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.auditactions import action


class ReferralsAction:
    DIRECTORY_IMPORTED = action("referrals.directory_imported", _("Imported the directory"))
    NOTE_SAVED = action("referrals.directory_note_saved", _("Saved a note on a community service"))
    FAVOURITE_ADDED = action("referrals.favourite_added", _("Starred a community service"))
    FAVOURITE_REMOVED = action("referrals.favourite_removed", _("Unstarred a community service"))
