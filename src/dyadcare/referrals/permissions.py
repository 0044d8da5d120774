"""What the referrals domain lets people do with the community resource directory.

The whole care team searches the network's directory and reads a service; the care team keeps
the clinic's notes and favourites on a service; a network administrator imports the
directory.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.roles import CARE_TEAM, Role, permission


class ReferralsPerm:
    DIRECTORY_VIEW = permission(
        "referrals.directory_view",
        _("Search the community resource directory"),
        roles=CARE_TEAM,
    )
    DIRECTORY_MANAGE = permission(
        "referrals.directory_manage",
        _("Keep the clinic's notes and favourites on community services"),
        roles=CARE_TEAM,
    )
    DIRECTORY_IMPORT = permission(
        "referrals.directory_import",
        _("Import the network's community resource directory"),
        roles={Role.NETWORK_ADMIN},
        scope="network",
    )


# The referral workflow ------------------------------------------------------------------------
class ReferralPerm:
    REFER = permission(
        "referrals.refer",
        _("Refer a family to a community service, record consent and updates"),
        roles=CARE_TEAM,
    )
    VIEW = permission("referrals.view", _("See a family's referrals and their status"), roles=CARE_TEAM)
