import getpass
import os

from django.core.management.base import CommandError

from tenants.management.commands._base import IamCommand
from tenants.models import PlatformOwner
from tenants.services import create_platform_owner


class Command(IamCommand):
    help = (
        "Create the platform owner. Asks for the password, or with --noinput reads it "
        "from IAM_PLATFORM_OWNER_PASSWORD. Refuses if an owner exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive"
        )

    def handle(self, *args, email, interactive, **options):
        if PlatformOwner.objects.exists():
            raise CommandError(
                "A platform owner already exists; there can be only one."
            )
        if interactive:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        else:
            password = os.environ.get("IAM_PLATFORM_OWNER_PASSWORD", "")
            if not password:
                raise CommandError(
                    "Set IAM_PLATFORM_OWNER_PASSWORD when using --noinput."
                )
        owner = create_platform_owner(email=email, password=password)
        self.stdout.write(self.style.SUCCESS(f"Platform owner {owner.email} created."))
