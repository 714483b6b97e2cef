from django_tenants.utils import schema_context, tenant_context

from credentials.signing import rotate_signing_key
from tenants.management.commands._base import IamCommand


class Command(IamCommand):
    help = (
        "Start signing with a new key. Without --tenant, rotates the platform's key. "
        "The old key stays published until the tokens it signed have expired."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="Slug of the tenant whose key to rotate.")

    def handle(self, *args, tenant, **options):
        if tenant:
            with tenant_context(self.get_tenant(tenant)):
                key = rotate_signing_key()
        else:
            with schema_context("public"):
                key = rotate_signing_key()
        self.stdout.write(self.style.SUCCESS(f"New signing key {key.kid} is active."))
