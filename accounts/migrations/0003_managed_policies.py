from django.db import migrations

from accounts.managed_policies import sync_managed_policies


def create_managed_policies(apps, schema_editor):
    sync_managed_policies(apps.get_model("accounts", "Policy"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_policies_and_groups"),
    ]

    operations = [
        migrations.RunPython(create_managed_policies, migrations.RunPython.noop),
    ]
