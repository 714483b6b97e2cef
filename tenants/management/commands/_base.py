from django.core.management.base import BaseCommand, CommandError

from audit.context import Origin, reset_origin, set_origin
from iam_project.errors import IAMError
from tenants.models import Tenant


class IamCommand(BaseCommand):
    """A command that turns service errors into a clear message and exit status 1."""

    def execute(self, *args, **options):
        # Changes made here are the operator's: the audit trail says so.
        token = set_origin(Origin(credential="command"))
        try:
            return super().execute(*args, **options)
        except IAMError as exc:
            details = "; ".join(
                f"{field}: {' '.join(map(str, msgs))}"
                for field, msgs in exc.details.items()
            )
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        finally:
            reset_origin(token)

    @staticmethod
    def get_tenant(slug: str) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {slug!r}.")
        return tenant
