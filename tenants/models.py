"""Public-schema models: tenants, their hosts and the platform owner."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models.functions import Lower
from django_tenants.models import DomainMixin, TenantMixin


def schema_name_for_slug(slug: str) -> str:
    # Slugs allow only [a-z0-9-], so this mapping is one-to-one and the prefix
    # keeps every tenant away from "public", "pg_*" and other system schemas.
    return "t_" + slug.replace("-", "_")


class Tenant(TenantMixin):
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    frontend_url = models.URLField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Schemas are created by tenants.services.create_tenant inside its own
    # transaction, and only an operator's command drops one.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    @property
    def urn(self) -> str:
        return f"urn:iam::tenant/{self.slug}"


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class PlatformOwner(AbstractBaseUser):
    """The one person who runs the platform; lives only in the public schema."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254)
    # Always True; the unique constraint on it is what limits the table to
    # one row, so the database itself refuses a second owner.
    singleton = models.BooleanField(default=True, editable=False)
    token_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    is_root = False
    is_platform_owner = True

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["singleton"], name="one_platform_owner"),
            models.CheckConstraint(
                condition=models.Q(singleton=True), name="platform_owner_singleton_true"
            ),
            models.UniqueConstraint(Lower("email"), name="platform_owner_email_ci"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def urn(self) -> str:
        return f"urn:iam::platform-owner/{self.id}"

    @property
    def is_active(self) -> bool:
        return True

    @property
    def is_staff(self) -> bool:
        return True


class AccessKeyIndex(models.Model):
    """Maps an access key id to its tenant, so any host can route a key."""

    access_key_id = models.CharField(max_length=32, primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return self.access_key_id
