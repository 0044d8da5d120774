from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "dyadcare.tenancy"
    label = "tenancy"
    verbose_name = _("Tenancy")
    default_auto_field = "django.db.models.BigAutoField"
