from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdherenceConfig(AppConfig):
    name = "dyadcare.adherence"
    label = "adherence"
    verbose_name = _("Visit adherence")
    default_auto_field = "django.db.models.BigAutoField"
