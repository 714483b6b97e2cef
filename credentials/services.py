"""Token pairs: issue, rotate and revoke refresh tokens."""

import hashlib
import logging
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from credentials.models import RefreshToken
from credentials.principals import get_principal
from credentials.tokens import current_tenant, issue_access_token
from iam_project.errors import TokenInvalidError

logger = logging.getLogger(__name__)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_refresh_token(
    principal, *, family_id, auth_method: str, access_key_id: str
) -> str:
    tenant = current_tenant()
    secret = secrets.token_urlsafe(32)
    # The tenant prefix lets the platform host route a refresh call; it is
    # not trusted for anything else (the hash is looked up in that schema).
    raw = f"{tenant.slug}.{secret}" if tenant else secret
    RefreshToken.objects.create(
        token_hash=_hash(raw),
        subject_id=principal.id,
        family_id=family_id,
        auth_method=auth_method,
        access_key_id=access_key_id,
        expires_at=timezone.now()
        + timedelta(seconds=settings.IAM_REFRESH_TOKEN_TTL_SECONDS),
    )
    return raw


def issue_token_pair(
    principal, *, auth_method: str, access_key_id: str = "", family_id=None
) -> dict:
    """Issue an access token and a new refresh token for a principal."""
    access_token, ttl = issue_access_token(
        principal, auth_method=auth_method, access_key_id=access_key_id
    )
    refresh_token = _new_refresh_token(
        principal,
        family_id=family_id or uuid.uuid4(),
        auth_method=auth_method,
        access_key_id=access_key_id,
    )
    return {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": ttl,
    }


def rotate_refresh_token(*, raw_token: str) -> dict:
    """Trade a refresh token for a new pair; the old one stops working.

    Presenting a token that was already rotated revokes its whole family:
    either the client or a thief holds a copy, and we cannot tell which.
    """
    now = timezone.now()
    with transaction.atomic():
        row = (
            RefreshToken.objects.select_for_update()
            .filter(token_hash=_hash(raw_token))
            .first()
        )
        if row is None or row.revoked_at or row.expires_at <= now:
            raise TokenInvalidError()
        if not row.used_at:
            row.used_at = now
            row.save(update_fields=["used_at"])
            principal = get_principal(row.subject_id)
            if principal is None or not principal.is_active:
                raise TokenInvalidError()
            return issue_token_pair(
                principal,
                auth_method=row.auth_method,
                access_key_id=row.access_key_id,
                family_id=row.family_id,
            )
        # Reuse: revoke the family and let that commit before refusing.
        RefreshToken.objects.filter(
            family_id=row.family_id, revoked_at__isnull=True
        ).update(revoked_at=now)
    logger.warning(
        "refresh token reuse family=%s subject=%s", row.family_id, row.subject_id
    )
    raise TokenInvalidError()


def revoke_refresh_token(*, raw_token: str) -> None:
    """Log out: the refresh token stops working. Unknown tokens are ignored."""
    RefreshToken.objects.filter(
        token_hash=_hash(raw_token), revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


def revoke_refresh_tokens_of(*, subject_id) -> int:
    """End every session of a principal (deactivation, password change)."""
    return RefreshToken.objects.filter(
        subject_id=subject_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
