from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "dyadcare.referrals"
    label = "referrals"
    verbose_name = _("Community referrals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dyadcare.referrals.providers import follow_up_referrals, huddle_referrals
        from dyadcare.touchpoints.followups import register_follow_up_provider
        from dyadcare.touchpoints.huddle import register_huddle_provider

        register_huddle_provider(huddle_referrals)
        register_follow_up_provider(follow_up_referrals)
