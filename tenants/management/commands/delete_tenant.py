from django.core.management.base import CommandError

from tenants.management.commands._base import IamCommand
from tenants.services import delete_tenant


class Command(IamCommand):
    help = (
        "Drop a tenant's schema and all its data. Asks for confirmation unless --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation."
        )

    def handle(self, *args, slug, yes, **options):
        tenant = self.get_tenant(slug)
        if not yes:
            answer = input(
                f"Type the slug {slug!r} to drop its schema and every row in it: "
            )
            if answer.strip() != slug:
                raise CommandError("Not confirmed; nothing was deleted.")
        delete_tenant(tenant=tenant)
        self.stdout.write(self.style.SUCCESS(f"Tenant {slug} deleted."))
