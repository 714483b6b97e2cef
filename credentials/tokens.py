"""Access tokens: ES256 JWTs signed with the current schema's key.

A token names its tenant in `tenant` and `iss`, and is signed with that
tenant's own key. Another tenant's JWKS does not hold the key, so the token
fails signature checks there before any claim is read.
"""

import secrets
import time

import jwt
from django.conf import settings
from django.db import connection

from accounts.selectors import get_token_policy_claims
from credentials import signing
from iam_project.errors import TokenInvalidError


def current_tenant():
    tenant = getattr(connection, "tenant", None)
    if tenant is None or connection.schema_name == "public":
        return None
    return tenant


def issuer_url(tenant=None) -> str:
    """The current schema's issuer; {iss}/.well-known/openid-configuration answers."""
    tenant = tenant or current_tenant()
    base = settings.IAM_ISSUER_BASE_URL
    return f"{base}/t/{tenant.slug}" if tenant else base


def issue_access_token(
    principal,
    *,
    auth_method: str,
    access_key_id: str = "",
    extra_claims: dict | None = None,
    ttl_seconds: int | None = None,
) -> tuple[str, int]:
    """Sign an access token for a user or the platform owner; return (token, ttl)."""
    tenant = current_tenant()
    ttl = ttl_seconds or settings.IAM_ACCESS_TOKEN_TTL_SECONDS
    now = int(time.time())
    claims = {
        "iss": issuer_url(tenant),
        "sub": principal.urn,
        "email": principal.email,
        "root": bool(principal.is_root),
        "auth": auth_method,
        "ver": principal.token_version,
        "iat": now,
        "exp": now + ttl,
        "jti": secrets.token_urlsafe(16),
    }
    if tenant is not None:
        claims["tenant"] = tenant.slug
    if access_key_id:
        claims["akid"] = access_key_id
    if tenant is not None and not principal.is_root:
        # Root needs no list: `root: true` already allows everything.
        claims.update(get_token_policy_claims(principal))
    claims.update(extra_claims or {})

    kid, private_key = signing.get_active_signing_key()
    token = jwt.encode(
        claims, private_key, algorithm=signing.ALGORITHM, headers={"kid": kid}
    )
    return token, ttl


# Tokens this process has verified, by schema and exact text. A client uses
# one access token for its whole lifetime, so a repeat skips the signature
# check and PyJWT's parsing (a tenth of a warm GET /iam/users/me); expiry is
# still checked on every use, and revocation is checked by the caller
# against the user row. Bounded: dropped whole when full.
MAX_VERIFIED_TOKENS = 2048
LEEWAY_SECONDS = 5
_verified: dict[tuple[str, str], dict] = {}


def decode_access_token(token: str) -> dict:
    """Verify a token against the current schema's keys and return its claims.

    Raises TokenInvalidError for anything short of a valid token of this
    schema's issuer: bad signature, unknown kid, other algorithms (`none`,
    HS256 keyed with the public key), expiry, or another tenant's claim.
    """
    key = (connection.schema_name, token)
    claims = _verified.get(key)
    if claims is not None and claims["exp"] + LEEWAY_SECONDS > time.time():
        return dict(claims)

    claims = _verify(token)
    if len(_verified) >= MAX_VERIFIED_TOKENS:
        _verified.clear()
    _verified[key] = claims
    return dict(claims)


def _verify(token: str) -> dict:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenInvalidError() from exc
    kid = header.get("kid")
    if header.get("alg") != signing.ALGORITHM or not isinstance(kid, str):
        raise TokenInvalidError()
    public_key = signing.get_public_key(kid)
    if public_key is None:
        raise TokenInvalidError()

    tenant = current_tenant()
    try:
        claims = jwt.decode(
            token,
            public_key,
            algorithms=[signing.ALGORITHM],
            issuer=issuer_url(tenant),
            options={"require": ["exp", "iat", "sub", "jti", "iss"]},
            leeway=LEEWAY_SECONDS,
        )
    except jwt.PyJWTError as exc:
        raise TokenInvalidError() from exc
    if claims.get("tenant") != (tenant.slug if tenant else None):
        raise TokenInvalidError()
    return claims


def read_tenant_claim_unverified(token: str) -> str | None:
    """Read `tenant` without verifying, only to route a platform-host request.

    Safe because routing decides only where the token is verified: a forged
    claim sends it to a tenant whose keys then reject it.
    """
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    tenant = claims.get("tenant")
    return tenant if isinstance(tenant, str) else None
