from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TouchpointsConfig(AppConfig):
    name = "dyadcare.touchpoints"
    label = "touchpoints"
    verbose_name = _("Touchpoints")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from dyadcare.touchpoints.schedule import CorrectionRule, configure_correction, correction_rule

        data = correction_rule()
        if (
            data.term_days,
            data.threshold_days,
        ) != (settings.CORRECTED_AGE_TERM_DAYS, settings.PRETERM_THRESHOLD_DAYS):
            configure_correction(
                CorrectionRule(
                    term_days=settings.CORRECTED_AGE_TERM_DAYS,
                    threshold_days=settings.PRETERM_THRESHOLD_DAYS,
                    until_months=data.until_months,
                    days_per_month=data.days_per_month,
                )
            )
