from tenants.management.commands._base import IamCommand
from tenants.services import create_tenant


class Command(IamCommand):
    help = (
        "Create a tenant with its schema, domain and root user "
        "(emails root a set-password link)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--domain", required=True)
        parser.add_argument("--root-email", required=True)
        parser.add_argument("--name", default="")

    def handle(self, *args, slug, domain, root_email, name, **options):
        tenant = create_tenant(
            slug=slug, name=name, domain=domain, root_email=root_email
        )
        self.stdout.write(
            self.style.SUCCESS(f"Tenant {tenant.slug} created on {domain}.")
        )
