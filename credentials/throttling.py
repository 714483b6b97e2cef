"""Brute-force throttling of failed authentication, kept in the shared cache.

Three fixed-window counters guard every kind of secret guessing:

- per tenant account and client address (strict): one address guessing one
  account is stopped after a few tries, and cannot lock that account for
  anyone else;
- per tenant account across all addresses (looser): guessing spread over
  many addresses is stopped too, at the price that a large distributed
  attack can make the account wait;
- per client address across all tenants (looser): spraying many accounts
  from one address is stopped.

Only failures count, so a user who types the password right is never
slowed, and a throttled account never locks out its neighbours or the same
address in another tenant. The account is keyed by what the client typed,
not by a user row, so an unknown account is throttled exactly like a real
one.
"""

import hashlib
import logging
import time
import unicodedata
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


def _limit(attempts: int) -> Limit:
    return Limit(attempts, settings.IAM_THROTTLE_WINDOW_SECONDS)


def canonical_account(value: str) -> str:
    """One spelling per account as the database compares them.

    Emails match case-insensitively in Postgres, whose upper() also maps
    `ı` to I and `ſ` to S; folding through upper() then lower() after NFKC
    gives every such variant one counter instead of one each.
    """
    return unicodedata.normalize("NFKC", value).strip().upper().lower()


def _digest(value: str) -> str:
    # Hashed so that cache keys never hold an email address or a key id.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _keys(scope: str, account: str, address: str) -> tuple[str, str, str]:
    # The cache's key function prefixes the current schema: one tenant's
    # account counters are never read in another. The address counter is
    # made in the public schema and so spans tenants.
    account = _digest(canonical_account(account))
    return (
        f"throttle:{scope}:account:{account}:from:{_digest(address)}",
        f"throttle:{scope}:account:{account}",
        f"throttle:address:{_digest(address)}",
    )


def _limits() -> tuple[Limit, Limit, Limit]:
    return (
        _limit(settings.IAM_THROTTLE_ACCOUNT_ATTEMPTS),
        _limit(settings.IAM_THROTTLE_ACCOUNT_GLOBAL_ATTEMPTS),
        _limit(settings.IAM_THROTTLE_ADDRESS_ATTEMPTS),
    )


def _wait(state: dict, key: str, limit: Limit) -> int:
    """Seconds until the window ends when the counter is at its limit, else 0."""
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


def check_allowed(*, scope: str, account: str, address: str) -> bool:
    """Raise TooManyAttemptsError while the account or the address is throttled.

    Returns whether this address has failures on the account, so that a
    success only clears counters that exist. Two cache round trips: the
    tenant's counters together, then the address's in the public schema.
    """
    pair, account_key, address_key = _keys(scope, account, address)
    pair_limit, account_limit, address_limit = _limits()
    state = cache.get_many([pair, f"{pair}:until", account_key, f"{account_key}:until"])
    wait = max(_wait(state, pair, pair_limit), _wait(state, account_key, account_limit))
    with schema_context("public"):
        address_state = cache.get_many([address_key, f"{address_key}:until"])
    wait = max(wait, _wait(address_state, address_key, address_limit))
    if wait:
        logger.warning("authentication throttled scope=%s retry_after=%s", scope, wait)
        raise TooManyAttemptsError(wait)
    return state.get(pair) is not None


def record_failure(*, scope: str, account: str, address: str) -> None:
    """Count one failed attempt against the account and the address."""
    pair, account_key, address_key = _keys(scope, account, address)
    pair_limit, account_limit, address_limit = _limits()
    _hit(pair, pair_limit)
    _hit(account_key, account_limit)
    with schema_context("public"):
        _hit(address_key, address_limit)


def record_success(*, scope: str, account: str, address: str) -> None:
    """Forget this address's failures on the account after it proved itself.

    The account-wide counter stays: a success from one address must not
    clear what many others guessed.
    """
    pair, _, _ = _keys(scope, account, address)
    cache.delete_many([pair, f"{pair}:until"])
