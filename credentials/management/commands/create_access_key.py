from django.core.management.base import CommandError
from django_tenants.utils import tenant_context

from accounts.models import User
from credentials.access_keys import create_access_key
from tenants.management.commands._base import IamCommand


class Command(IamCommand):
    help = (
        "Create an access key for a user of a tenant and print its id and "
        "secret. The secret is shown this once and cannot be read back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="The tenant's slug.")
        parser.add_argument("--email", required=True, help="The user's email.")

    def handle(self, *args, tenant, email, **options):
        tenant_row = self.get_tenant(tenant)
        with tenant_context(tenant_row):
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                raise CommandError(f"No user with email {email!r} in {tenant!r}.")
            key, secret = create_access_key(user=user)

        # Plain key=value lines, easy to read by a provisioning script.
        self.stdout.write(f"access_key_id={key.access_key_id}")
        self.stdout.write(f"secret_access_key={secret}")
        self.stderr.write("Store the secret now: it cannot be shown again.")
