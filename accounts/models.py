"""Tenant-schema models: the users of one tenant."""

import unicodedata
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

    # NIST SP 800-63B rev. 4 asks that passwords be normalised (NFKC) before
    # hashing, so that the same characters typed on another keyboard or
    # system, composed differently, still match.
    def set_password(self, raw_password):
        if raw_password is not None:
            raw_password = unicodedata.normalize("NFKC", raw_password)
        super().set_password(raw_password)

    def check_password(self, raw_password):
        if isinstance(raw_password, str):
            raw_password = unicodedata.normalize("NFKC", raw_password)
        return super().check_password(raw_password)


class Policy(models.Model):
    """A named policy document; managed ones ship with every tenant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=128)
    description = models.CharField(max_length=1000, blank=True, default="")
    document = models.JSONField()
    # Managed policies are kept current by migrations; nobody edits them.
    is_managed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    users = models.ManyToManyField(
        User, through="UserPolicyAttachment", related_name="attached_policies"
    )

    class Meta:
        verbose_name_plural = "policies"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="policy_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def urn(self) -> str:
        return f"urn:iam:{current_tenant_slug()}:policy/{self.id}"


class Group(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    members = models.ManyToManyField(
        User, through="GroupMembership", related_name="iam_groups"
    )
    policies = models.ManyToManyField(
        Policy, through="GroupPolicyAttachment", related_name="groups"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="group_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def urn(self) -> str:
        return f"urn:iam:{current_tenant_slug()}:group/{self.id}"


class GroupMembership(models.Model):
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="group_memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"


# Attachments PROTECT their policy: deleting a policy that still grants or
# denies something must be a deliberate detach first (AWS's DeleteConflict),
# never a silent change of someone's rights.
class UserPolicyAttachment(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="policy_attachments"
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="user_attachments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "policy"], name="user_policy_attachment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} on user {self.user_id}"


class GroupPolicyAttachment(models.Model):
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="policy_attachments"
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="group_attachments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "policy"], name="group_policy_attachment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} on group {self.group_id}"
