from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand


class Command(MigrateSchemasCommand):
    help = (
        "Migrate the public schema, every tenant schema and the template schema "
        "that new tenants are cloned from."
    )

    def handle(self, *args, **options):
        super().handle(*args, **options)
        if options.get("schema_name") or options.get("shared"):
            return
        template = settings.TENANT_BASE_SCHEMA
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{template}"')
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=template,
            interactive=False,
            verbosity=options.get("verbosity", 1),
            database=options.get("database", "default"),
        )
