from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "dyadcare.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from dyadcare.web import middleware  # noqa: F401  (starts a session's clock at login)
