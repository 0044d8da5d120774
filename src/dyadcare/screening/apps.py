from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "dyadcare.screening"
    label = "screening"
    verbose_name = _("Screening")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dyadcare.screening.internal.evidence import category_evidence
        from dyadcare.screening.selectors import huddle_flags
        from dyadcare.touchpoints.evidence import register_evidence_provider
        from dyadcare.touchpoints.huddle import register_huddle_provider

        register_huddle_provider(huddle_flags)
        register_evidence_provider(category_evidence)
