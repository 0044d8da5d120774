from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "dyadcare.care"
    label = "care"
    verbose_name = _("Care coordination")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dyadcare.care import subscribers  # noqa: F401  (registers the listeners)
        from dyadcare.care.worklist import huddle_care
        from dyadcare.touchpoints.huddle import register_huddle_provider

        register_huddle_provider(huddle_care)
