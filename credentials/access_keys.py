"""Access keys: create, change status, delete and authenticate.

Keys live in the tenant schema. Each id also has a row in the public
AccessKeyIndex, which lets the platform host route a key to its tenant; both
rows are written and removed in one transaction (one connection, two
search paths). All functions work in the current tenant schema.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from audit.services import record_event
from credentials import hashing
from credentials.exceptions import AccessKeyLimitError
from credentials.login_attempts import login_attempt
from credentials.models import AccessKey, RefreshToken
from iam_project.errors import InvalidCredentialsError
from tenants.models import AccessKeyIndex, Tenant

logger = logging.getLogger(__name__)

# last_used_at is written at most this often per key, so that a client
# calling with Basic auth in a loop does not turn every read into a write.
LAST_USED_WRITE_INTERVAL_SECONDS = 60


def lock_user_credentials(user: User) -> None:
    """Lock the user's row until the transaction ends.

    Concurrent creations of a user's credentials queue here, so each one
    counts the keys the previous one committed and a limit cannot be
    overrun by racing requests.
    """
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))


def _current_tenant() -> Tenant:
    tenant = connection.tenant
    if getattr(tenant, "pk", None) is None:
        # schema_context(<name>) sets a stand-in without a primary key.
        with schema_context(get_public_schema_name()):
            tenant = Tenant.objects.get(schema_name=connection.schema_name)
    return tenant


def create_access_key(*, user: User, actor=None) -> tuple[AccessKey, str]:
    """Create an active key for a user and return it with its secret.

    The secret exists only in the return value; the database keeps its
    HMAC. Raises AccessKeyLimitError when the user already holds
    IAM_MAX_ACCESS_KEYS_PER_USER keys.
    """
    tenant = _current_tenant()
    access_key_id = hashing.generate_id(hashing.ACCESS_KEY_ID_PREFIX)
    secret = hashing.generate_secret()

    with transaction.atomic():
        lock_user_credentials(user)
        held = AccessKey.objects.filter(user=user).count()
        if held >= settings.IAM_MAX_ACCESS_KEYS_PER_USER:
            raise AccessKeyLimitError()
        key = AccessKey.objects.create(
            access_key_id=access_key_id,
            secret_hash=hashing.hash_secret(access_key_id=access_key_id, secret=secret),
            user=user,
        )
        with schema_context(get_public_schema_name()):
            AccessKeyIndex.objects.create(access_key_id=access_key_id, tenant=tenant)
        record_event(
            actor=actor,
            action="iam:CreateAccessKey",
            target=key.urn,
            details={"user": user.urn},
        )

    logger.info("access key created key=%s user=%s", access_key_id, user.id)
    return key, secret


def update_access_key(*, key: AccessKey, status: str, actor=None) -> AccessKey:
    """Activate or deactivate a key; deactivation ends the sessions it opened."""
    if key.status == status:
        return key

    with transaction.atomic():
        key.status = status
        key.save(update_fields=["status", "updated_at"])
        if status == AccessKey.Status.INACTIVE:
            _end_sessions_of_key(key)
        record_event(
            actor=actor,
            action="iam:UpdateAccessKey",
            target=key.urn,
            details={"status": status},
        )

    logger.info(
        "access key status changed key=%s user=%s status=%s",
        key.access_key_id,
        key.user_id,
        status,
    )
    return key


def delete_access_key(*, key: AccessKey, actor=None) -> None:
    """Delete a key, its public index row and the sessions it opened."""
    with transaction.atomic():
        _end_sessions_of_key(key)
        key.delete()
        with schema_context(get_public_schema_name()):
            AccessKeyIndex.objects.filter(pk=key.access_key_id).delete()
        record_event(actor=actor, action="iam:DeleteAccessKey", target=key.urn)
    logger.info("access key deleted key=%s user=%s", key.access_key_id, key.user_id)


def delete_access_keys_of(*, user: User) -> None:
    """Delete every key of a user with their index rows (before deleting the user)."""
    ids = list(
        AccessKey.objects.filter(user=user).values_list("access_key_id", flat=True)
    )
    if not ids:
        return
    with transaction.atomic():
        AccessKey.objects.filter(user=user).delete()
        with schema_context(get_public_schema_name()):
            AccessKeyIndex.objects.filter(pk__in=ids).delete()
    logger.info("access keys deleted user=%s count=%s", user.id, len(ids))


def _end_sessions_of_key(key: AccessKey) -> None:
    # Refresh tokens obtained with the key stop working with it; access
    # tokens already issued run out within IAM_ACCESS_TOKEN_TTL_SECONDS.
    RefreshToken.objects.filter(
        access_key_id=key.access_key_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


def authenticate_access_key(
    *, access_key_id: object, secret: object, audit_success: bool = True
) -> tuple[User, AccessKey]:
    """Return the user and key that this id and secret prove, else raise.

    Unknown id, wrong secret, inactive key and inactive user all raise the
    same InvalidCredentialsError after exactly one HMAC, so neither the
    answer nor its timing tells which. Failures are throttled per key id
    and per address, and audited (see credentials.login_attempts).
    """
    with login_attempt(
        scope="access_key", account=access_key_id, audit_success=audit_success
    ) as attempt:
        user, key = _verify_access_key(access_key_id=access_key_id, secret=secret)
        attempt.succeeded(user)
    return user, key


def _verify_access_key(
    *, access_key_id: object, secret: object
) -> tuple[User, AccessKey]:
    if not isinstance(access_key_id, str) or not isinstance(secret, str):
        raise InvalidCredentialsError()
    key = None
    # Keys exist only in tenant schemas; on the platform host an id the
    # index does not know stays in `public` and is refused here.
    if connection.schema_name != get_public_schema_name():
        key = (
            AccessKey.objects.select_related("user")
            .filter(access_key_id=access_key_id)
            .first()
        )
    if key is None:
        hashing.spend_dummy_verification(secret)
        # The submitted id is not logged: a client that swapped its fields
        # would otherwise write its secret into the logs.
        logger.info("access key refused reason=unknown_id")
        raise InvalidCredentialsError()

    valid = hashing.verify_secret(
        access_key_id=key.access_key_id, secret=secret, secret_hash=key.secret_hash
    )
    if not valid or key.status != AccessKey.Status.ACTIVE or not key.user.is_active:
        reason = "wrong_secret" if not valid else "inactive"
        logger.info("access key refused key=%s reason=%s", key.access_key_id, reason)
        raise InvalidCredentialsError()

    _record_use(key)
    return key.user, key


def _record_use(key: AccessKey) -> None:
    # cache.add is atomic in Redis: of all requests within the interval,
    # exactly one wins the gate and writes. The cache key carries the schema.
    gate = f"access-key-used:{key.access_key_id}"
    if cache.add(gate, 1, LAST_USED_WRITE_INTERVAL_SECONDS):
        now = timezone.now()
        AccessKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
