from tenants.management.commands._base import IamCommand
from tenants.services import update_tenant


class Command(IamCommand):
    help = "Resume a tenant (as PATCH /iam/tenants/{slug} with is_active=true)."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug, **options):
        tenant = update_tenant(tenant=self.get_tenant(slug), is_active=True)
        self.stdout.write(self.style.SUCCESS(f"Tenant {tenant.slug} resumed."))
