from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "dyadcare.tenancy"
    label = "tenancy"
    verbose_name = _("Tenancy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every domain declares its own permissions and audit actions, and subscribes to the
        # events of the domains below it; the registries here fill as those modules load.
        autodiscover_modules("permissions", "audit_actions", "subscribers")
        from dyadcare.tenancy import signals  # noqa: F401  (connects the login audit receivers)
