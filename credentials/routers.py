"""Keep the tenant-only models of the shared credentials app out of `public`.

The credentials app is installed in the public schema too (the platform
owner's signing keys and refresh tokens live there), but access keys and SSH
keys point at tenant users, whose table exists only in tenant schemas.
"""

from django.db import connections
from django_tenants.utils import get_public_schema_name

TENANT_ONLY_MODELS = {("credentials", "accesskey"), ("credentials", "sshpublickey")}


class TenantOnlyModelsRouter:
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if (app_label, model_name) not in TENANT_ONLY_MODELS:
            return None
        if connections[db].schema_name == get_public_schema_name():
            return False
        return None
