"""Brute-force throttling of failed authentication, kept in the shared cache.

Two fixed-window counters guard every kind of secret guessing: one per
tenant and account (strict), one per client address across all tenants
(looser, against spraying many accounts). Only failures count, so a user
who types the password right is never slowed, and a locked account never
locks out its neighbours or the same address in another tenant.

The account counter is keyed by what the client typed, not by a user row,
so an unknown account is throttled exactly like a real one.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django_tenants.utils import schema_context

from iam_project.errors import TooManyAttemptsError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    attempts: int
    window_seconds: int


def _account_limit() -> Limit:
    return Limit(
        settings.IAM_THROTTLE_ACCOUNT_ATTEMPTS, settings.IAM_THROTTLE_WINDOW_SECONDS
    )


def _address_limit() -> Limit:
    return Limit(
        settings.IAM_THROTTLE_ADDRESS_ATTEMPTS, settings.IAM_THROTTLE_WINDOW_SECONDS
    )


def _digest(value: str) -> str:
    # Hashed so that cache keys never hold an email address or a key id.
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _account_key(scope: str, account: str) -> str:
    # The cache's key function prefixes the current schema: one tenant's
    # counters are never read in another.
    return f"throttle:{scope}:account:{_digest(account)}"


def _address_key(address: str) -> str:
    return f"throttle:address:{_digest(address)}"


def _blocked_for(key: str, limit: Limit) -> int:
    """Seconds until the window ends when the counter is at its limit, else 0."""
    state = cache.get_many([key, f"{key}:until"])
    count, until = state.get(key), state.get(f"{key}:until")
    if count is None or count < limit.attempts:
        return 0
    return max(1, int((until or time.time() + limit.window_seconds) - time.time()) + 1)


def _hit(key: str, limit: Limit) -> None:
    if cache.add(key, 1, limit.window_seconds):
        cache.set(
            f"{key}:until", time.time() + limit.window_seconds, limit.window_seconds
        )
        return
    try:
        cache.incr(key)
    except ValueError:
        # The window expired between add and incr: start a new one.
        cache.set(key, 1, limit.window_seconds)
        cache.set(
            f"{key}:until", time.time() + limit.window_seconds, limit.window_seconds
        )


def check_allowed(*, scope: str, account: str, address: str) -> None:
    """Raise TooManyAttemptsError while the account or the address is throttled."""
    wait = _blocked_for(_account_key(scope, account), _account_limit())
    with schema_context("public"):
        wait = max(wait, _blocked_for(_address_key(address), _address_limit()))
    if wait:
        logger.warning("authentication throttled scope=%s retry_after=%s", scope, wait)
        raise TooManyAttemptsError(wait)


def record_failure(*, scope: str, account: str, address: str) -> None:
    """Count one failed attempt against the account and the address."""
    _hit(_account_key(scope, account), _account_limit())
    with schema_context("public"):
        _hit(_address_key(address), _address_limit())


def record_success(*, scope: str, account: str) -> None:
    """Forget the account's failures after it proved itself."""
    key = _account_key(scope, account)
    cache.delete_many([key, f"{key}:until"])
