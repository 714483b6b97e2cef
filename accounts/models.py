"""Tenant-schema models: the users of one tenant."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import connection, models
from django.db.models.functions import Lower


def current_tenant_slug() -> str:
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "slug", "") or ""


class UserManager(BaseUserManager):
    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254)
    # NULL, not "", when nothing is pending: the API shows it as null.
    unconfirmed_email = models.EmailField(max_length=254, null=True, blank=True)  # noqa: DJ001
    email_confirmed = models.BooleanField(default=False)
    name = models.CharField(max_length=200, blank=True, default="")
    is_root = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_login_at = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # Bumped when the user is deactivated or changes password; access tokens
    # carry the value they were issued under, so IAM refuses older ones at once.
    token_version = models.PositiveIntegerField(default=0)

    # AbstractBaseUser's last_login is replaced by last_login_at.
    last_login = None

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    is_platform_owner = False

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.UniqueConstraint(
                fields=["is_root"],
                condition=models.Q(is_root=True),
                name="one_root_per_tenant",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def urn(self) -> str:
        return f"urn:iam:{current_tenant_slug()}:user/{self.id}"

    @property
    def is_staff(self) -> bool:
        return self.is_root and self.is_active
