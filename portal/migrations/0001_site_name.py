"""The Site row under the portal's name and address, not Django's example.com.

The sites framework creates its row as example.com after the first migrate;
the flat pages (/about/) hang on it, and Django's own views would show its
name. This gives it SITE_NAME and the host of SITE_URL, creating it on a fresh
database (the framework then leaves it alone).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations


def site_from_settings(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.using(schema_editor.connection.alias).update_or_create(
        pk=settings.SITE_ID,
        defaults={"name": settings.SITE_NAME, "domain": urlsplit(settings.SITE_URL).netloc},
    )
    # An explicit primary key leaves the sequence behind, as in sites.management.
    with schema_editor.connection.cursor() as cursor:
        for statement in schema_editor.connection.ops.sequence_reset_sql(no_style(), [Site]):
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(site_from_settings, migrations.RunPython.noop)]
