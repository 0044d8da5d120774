from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnerPagesConfig(AppConfig):
    name = "dyadcare.partner_pages"
    label = "partner_pages"
    verbose_name = _("Referral pages for receiving organizations")
