"""Reads of access keys and SSH public keys in the current tenant schema."""

from django.db import connection
from django.db.models import QuerySet

from accounts.models import User
from credentials.models import AccessKey, SSHPublicKey
from iam_project.errors import NotFoundError


def list_access_keys(*, user: User) -> QuerySet[AccessKey]:
    return AccessKey.objects.filter(user=user).order_by("created_at", "id")


def get_access_key(*, user: User, access_key_id: str) -> AccessKey:
    """Return one of the user's keys, or raise NotFoundError (also for others' keys)."""
    key = (
        AccessKey.objects.select_related("user")
        .filter(user=user, access_key_id=access_key_id)
        .first()
    )
    if key is None:
        raise NotFoundError()
    return key


def list_ssh_public_keys(*, user: User) -> QuerySet[SSHPublicKey]:
    return SSHPublicKey.objects.filter(user=user).order_by("created_at", "id")


def get_ssh_public_key(*, user: User, ssh_public_key_id: str) -> SSHPublicKey:
    """Return one of the user's SSH keys, or raise NotFoundError."""
    key = (
        SSHPublicKey.objects.select_related("user")
        .filter(user=user, ssh_public_key_id=ssh_public_key_id)
        .first()
    )
    if key is None:
        raise NotFoundError()
    return key


def list_usable_ssh_public_keys(*, fingerprint: str) -> QuerySet[SSHPublicKey]:
    """Active keys of active users with this fingerprint (at most one per tenant).

    A service deciding whether to let someone in gets only keys that may be
    used, so a deactivated key or user can never be granted by mistake.
    """
    return SSHPublicKey.objects.select_related("user").filter(
        fingerprint=fingerprint,
        status=SSHPublicKey.Status.ACTIVE,
        user__is_active=True,
    )


def is_own_credential(principal, resource: str) -> bool:
    """Whether a URN names an access key or SSH key of this principal."""
    slug = getattr(connection.tenant, "slug", "")
    prefix = f"urn:iam:{slug}:"
    if not slug or not resource.startswith(prefix):
        return False
    kind, _, object_id = resource.removeprefix(prefix).partition("/")
    if kind == "access-key":
        keys = AccessKey.objects.filter(access_key_id=object_id)
    elif kind == "ssh-key":
        keys = SSHPublicKey.objects.filter(ssh_public_key_id=object_id)
    else:
        return False
    return keys.filter(user_id=principal.id).exists()


def list_users_for_credential_report() -> QuerySet[User]:
    """Every user with its keys, in three queries whatever the number of users."""
    return User.objects.order_by("created_at", "id").prefetch_related(
        "access_keys", "ssh_public_keys"
    )
