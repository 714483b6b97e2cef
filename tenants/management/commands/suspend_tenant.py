from tenants.management.commands._base import IamCommand
from tenants.services import update_tenant


class Command(IamCommand):
    help = "Suspend a tenant (as PATCH /iam/tenants/{slug} with is_active=false)."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug, **options):
        tenant = update_tenant(tenant=self.get_tenant(slug), is_active=False)
        self.stdout.write(self.style.SUCCESS(f"Tenant {tenant.slug} suspended."))
