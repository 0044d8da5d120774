from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamilyPagesConfig(AppConfig):
    name = "dyadcare.family_pages"
    label = "family_pages"
    verbose_name = _("Family pages")
