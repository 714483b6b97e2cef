"""Opaque tokens for email links: set or reset a password, confirm an address,
cancel an email change.

A token reads `<tenant>.<purpose>.<user id>.<issued at>.<mac>`. Nothing is
stored: the MAC covers the tenant's schema and the part of the user's state
that the link may act on, so the token dies by itself when that state moves
on (the password or the address changes, the pending address changes or
is confirmed).
"""

import hashlib
import hmac
import time
import uuid

from django.conf import settings
from django.db import connection
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int, int_to_base36

from accounts.models import User
from iam_project.errors import LinkTokenInvalidError

WELCOME = "w"
RESET = "r"
CONFIRM = "c"
CANCEL_EMAIL_CHANGE = "x"
_PURPOSES = {WELCOME, RESET, CONFIRM, CANCEL_EMAIL_CHANGE}


def _ttl_seconds(purpose: str) -> int:
    return {
        WELCOME: settings.IAM_WELCOME_TOKEN_TTL_SECONDS,
        RESET: settings.IAM_RESET_TOKEN_TTL_SECONDS,
        CONFIRM: settings.IAM_CONFIRM_TOKEN_TTL_SECONDS,
        CANCEL_EMAIL_CHANGE: settings.IAM_CONFIRM_TOKEN_TTL_SECONDS,
    }[purpose]


def confirmation_target(user: User) -> str | None:
    """The address a confirmation link would confirm, if any."""
    if user.unconfirmed_email:
        return user.unconfirmed_email
    return None if user.email_confirmed else user.email


def _state(user: User, purpose: str) -> str:
    if purpose == CONFIRM:
        return f"{confirmation_target(user) or ''}"
    if purpose == CANCEL_EMAIL_CHANGE:
        # Works only while the change it was mailed about is still pending.
        return f"{user.email}|{user.unconfirmed_email or ''}"
    # The password hash changes on every set or reset, which makes these
    # tokens single-use and kills them when the password changes elsewhere.
    # The address matters too: a link mailed to an address the user has
    # since left must not reset the account's password.
    changed = user.password_changed_at.isoformat() if user.password_changed_at else ""
    return f"{user.password}|{changed}|{user.is_active}|{user.email}"


def _mac(user: User, purpose: str, issued: str) -> str:
    message = (
        f"{connection.schema_name}|{purpose}|{user.id}|{issued}|{_state(user, purpose)}"
    )
    key = hashlib.sha256(f"iam link tokens|{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:40]


def make_link_token(user: User, purpose: str) -> str:
    """Make a link token for the user in the current tenant."""
    issued = int_to_base36(int(time.time()))
    slug = connection.tenant.slug
    return f"{slug}.{purpose}.{user.id.hex}.{issued}.{_mac(user, purpose, issued)}"


def check_link_token(raw: object, *, purposes: set[str]) -> tuple[User, str]:
    """Return (user, purpose) for a valid token of this tenant, else raise.

    Guessing is throttled per user the token names and per address; a
    failure is audited like a failed login. A success is not: the service
    that acts on the token records what it did, and merely opening a link
    page does nothing worth recording.
    """
    from credentials.login_attempts import login_attempt

    parts = raw.split(".") if isinstance(raw, str) else []
    account = parts[2] if len(parts) == 5 else "malformed"
    with login_attempt(
        scope="link_token",
        account=account,
        action="iam:UseEmailLink",
        audit_success=False,
    ) as attempt:
        user, purpose = _check(raw, purposes=purposes)
        attempt.succeeded(user)
    return user, purpose


def _check(raw: object, *, purposes: set[str]) -> tuple[User, str]:
    if not isinstance(raw, str) or len(raw) > 200:
        raise LinkTokenInvalidError()
    parts = raw.split(".")
    if len(parts) != 5:
        raise LinkTokenInvalidError()
    slug, purpose, user_hex, issued, mac = parts
    if slug != connection.tenant.slug or purpose not in purposes & _PURPOSES:
        raise LinkTokenInvalidError()
    try:
        user_id = uuid.UUID(hex=user_hex)
        issued_at = base36_to_int(issued)
    except ValueError as exc:
        raise LinkTokenInvalidError() from exc
    if time.time() - issued_at > _ttl_seconds(purpose):
        raise LinkTokenInvalidError()

    user = User.objects.filter(id=user_id).first()
    if user is None or not constant_time_compare(mac, _mac(user, purpose, issued)):
        raise LinkTokenInvalidError()
    return user, purpose
