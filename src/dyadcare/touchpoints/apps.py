from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TouchpointsConfig(AppConfig):
    name = "dyadcare.touchpoints"
    label = "touchpoints"
    verbose_name = _("Touchpoints")
    default_auto_field = "django.db.models.BigAutoField"
