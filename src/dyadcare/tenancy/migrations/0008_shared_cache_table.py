"""The cache's table (settings.CACHES: Django's database cache), made by ``dyadcare migrate``
so that every process of the site shares one cache."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps: object, schema_editor: Any) -> None:
    # Does nothing when the table is there already.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0007_shared_demo_login")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
