from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    name = "dyadcare.families"
    label = "families"
    verbose_name = _("Families")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from dyadcare.families.aggregates import record_changed
        from dyadcare.families.models import Caregiver, Child

        for model in (Child, Caregiver):
            name = model.__name__
            post_save.connect(record_changed, sender=model, dispatch_uid=f"families.counts.{name}.save")
            post_delete.connect(record_changed, sender=model, dispatch_uid=f"families.counts.{name}.delete")
