"""The ticks were moved by 0002; the field that held them goes (see 0002 for why)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("touchpoints", "0002_evidence_not_ticks")]

    operations = [migrations.RemoveField(model_name="visit", name="completed_categories")]
