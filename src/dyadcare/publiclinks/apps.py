from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicLinksConfig(AppConfig):
    name = "dyadcare.publiclinks"
    label = "publiclinks"
    verbose_name = _("Public links")
    default_auto_field = "django.db.models.BigAutoField"
