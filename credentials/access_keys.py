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
        _publish_key_state(key.access_key_id, _key_state(key.user_id, status))
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
        _publish_key_state(key.access_key_id, _GONE)
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
        for access_key_id in ids:
            _publish_key_state(access_key_id, _GONE)
    logger.info("access keys deleted user=%s count=%s", user.id, len(ids))


def _end_sessions_of_key(key: AccessKey) -> None:
    # Refresh tokens obtained with the key stop working with it; its access
    # tokens are refused by IAM at once (is_access_key_usable), and
    # services that verify them alone see them expire.
    RefreshToken.objects.filter(
        access_key_id=key.access_key_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


# The state of each key that minted access tokens, for the check on every
# request made with one of them. The cache key carries the schema.
_GONE = "gone"


def _key_state(user_id, status: str) -> str:
    return f"{user_id}:{status}"


def _state_cache_key(access_key_id: str) -> str:
    return f"access-key-state:{access_key_id}"


def is_access_key_usable(*, access_key_id: str, user_id) -> bool:
    """Whether the key exists, is active and belongs to this user.

    Asked for every request with a token minted by a key (`akid`), so a
    deleted or deactivated key ends its tokens at once. The answer comes
    from the cache, else from one indexed read that is then cached.
    """
    cache_key = _state_cache_key(access_key_id)
    state = cache.get(cache_key)
    if state is None:
        row = (
            AccessKey.objects.filter(access_key_id=access_key_id)
            .values_list("user_id", "status")
            .first()
        )
        state = _key_state(*row) if row else _GONE
        # add, not set: a change that committed meanwhile has published
        # the newer state, which this older read must not overwrite.
        cache.add(cache_key, state, settings.IAM_ACCESS_TOKEN_TTL_SECONDS)
    return state == _key_state(user_id, AccessKey.Status.ACTIVE)


def _publish_key_state(access_key_id: str, state: str) -> None:
    """Drop the cached state now; store the new one when the change commits.

    Dropping it now lets this transaction see its own change (and leaves
    the cache right if it rolls back); storing it on commit replaces
    whatever another worker cached from the old row in between.
    """
    schema = connection.schema_name
    cache_key = _state_cache_key(access_key_id)
    cache.delete(cache_key)

    def publish():
        # Commit callbacks may run after the connection left the schema.
        with schema_context(schema):
            cache.set(cache_key, state, settings.IAM_ACCESS_TOKEN_TTL_SECONDS)

    transaction.on_commit(publish)


def authenticate_access_key(
    *, access_key_id: object, secret: object
) -> tuple[User, AccessKey]:
    """Return the user and key that this id and secret prove, else raise.

    Unknown id, wrong secret, inactive key and inactive user all raise the
    same InvalidCredentialsError after exactly one HMAC, so neither the
    answer nor its timing tells which. Failures are throttled per key id
    and per address, and audited (see credentials.login_attempts).

    Successes are not audited: programs exchange keys often, and a row per
    exchange would cost a write on the hot path for little; the key's
    last_used_at and the credential report show use, and every change a
    key's tokens make is audited with the key id.
    """
    with login_attempt(
        scope="access_key", account=access_key_id, audit_success=False
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
